import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainOptions, trainModel } from '../src/train/index.js';
import { toyData } from './helpers/toy-data.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mta-threads-'));
const base = {
  width: 0.25,
  lr: 3e-3,
  batchSize: 8,
  pruneEvery: 3,
  patience: 3,
  lambda: 5,
  searchEpochs: 1,
  finetuneEpochs: 1,
};

test('2 threads: the same seed gives bit-identical weights, and --resume matches the uninterrupted run', async () => {
  const o = parseTrainOptions({ ...base, threads: 2 });
  const a = await trainModel(toyData({ seed: 5, batchSize: 8 }), o, { outDir: tmp(), progress: false });
  const b = await trainModel(toyData({ seed: 5, batchSize: 8 }), o, { outDir: tmp(), progress: false });
  const dir = tmp();
  const steps = toyData({ seed: 5, batchSize: 8 }).stepsPerEpoch;
  await trainModel(
    toyData({ seed: 5, batchSize: 8 }),
    parseTrainOptions({ ...base, threads: 2, haltAfterStep: steps }),
    {
      outDir: dir,
      progress: false,
    },
  );
  const c = await trainModel(
    toyData({ seed: 5, batchSize: 8 }),
    parseTrainOptions({ ...base, threads: 2, resume: true }),
    {
      outDir: dir,
      progress: false,
    },
  );
  for (const run of [b, c]) {
    assert.deepEqual(run.config, a.config);
    for (const [name, w] of a.weights) assert.deepEqual(run.weights.get(name)!.data, w.data, name);
  }
});

test('sharded gradients sum to the full-batch gradient (no batch norm in play: heads on a frozen encoder)', async () => {
  // With the encoder frozen (BN on running statistics) and no adapters, only the dense heads train,
  // so 1 and 3 threads must agree up to float rounding after several steps.
  const frozen = new Map();
  const o = (threads: number) =>
    parseTrainOptions({ ...base, baseline: 'multihead', threads, finetuneEpochs: 1 });
  const one = await trainModel(toyData({ seed: 6, batchSize: 8 }), o(1), {
    outDir: tmp(),
    progress: false,
    frozenEncoder: frozen,
  });
  const three = await trainModel(toyData({ seed: 6, batchSize: 8 }), o(3), {
    outDir: tmp(),
    progress: false,
    frozenEncoder: frozen,
  });
  let compared = 0;
  for (const [name, w] of one.weights) {
    if (!name.startsWith('head.')) {
      assert.deepEqual(three.weights.get(name)!.data, w.data, `${name} must stay frozen`);
      continue;
    }
    const got = three.weights.get(name)!.data;
    w.data.forEach((v, i) =>
      assert.ok(Math.abs(v - got[i]) <= 1e-5 * (1 + Math.abs(v)), `${name}[${i}]: ${v} vs ${got[i]}`),
    );
    compared++;
  }
  assert.equal(compared, 4);
});
