import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MtaError } from '../src/common/index.js';
import { exactCost } from '../src/model/index.js';
import { initialConfig, parseTrainOptions, trainModel } from '../src/train/index.js';
import { toyData } from './helpers/toy-data.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mta-train-'));
const small = { width: 0.25, lr: 3e-3, batchSize: 8, pruneEvery: 3, patience: 3, threads: 1 };

test('multi-head baseline learns two separable toy tasks', async () => {
  const data = toyData({ seed: 1, batchSize: 8 });
  const o = parseTrainOptions({ ...small, baseline: 'multihead', finetuneEpochs: 6 });
  const run = await trainModel(data, o, { outDir: tmp(), progress: false });
  assert.equal(run.state.phase, 'done');
  const acc = run.state.history.at(-1)!.valClipAccuracy;
  assert.ok(Math.max(...run.state.history.map((h) => h.valClipAccuracy[0])) >= 0.9, `band: ${acc}`);
  assert.ok(Math.max(...run.state.history.map((h) => h.valClipAccuracy[1])) >= 0.9, `half: ${acc}`);
});

test('a large λ prunes adapters; the pruned model is what exactCost reports', async () => {
  const data = toyData({ seed: 2, batchSize: 8 });
  const o = parseTrainOptions({ ...small, lambda: 50, searchEpochs: 4, finetuneEpochs: 1, adapterWidth: 1 });
  const run = await trainModel(data, o, { outDir: tmp(), progress: false });
  const before = exactCost(initialConfig(data, o)).total;
  const after = exactCost(run.config).total;
  assert.ok(after.params < before.params, `${after.params} < ${before.params}`);
  assert.equal(run.state.history.at(-1)!.params, after.params);
  // The searched phase ran and shrank the model step by step.
  const search = run.state.history.filter((h) => h.phase === 'search');
  assert.equal(search.length, 4);
  assert.ok(search.at(-1)!.params <= search[0].params);
});

test('--resume after a stop ends bit-identical to an uninterrupted run', async () => {
  const o = { ...small, lambda: 5, searchEpochs: 2, finetuneEpochs: 2 };
  const full = await trainModel(toyData({ seed: 3, batchSize: 8 }), parseTrainOptions(o), {
    outDir: tmp(),
    progress: false,
  });
  const dir = tmp();
  const stepsPerEpoch = toyData({ seed: 3, batchSize: 8 }).stepsPerEpoch;
  const halted = await trainModel(
    toyData({ seed: 3, batchSize: 8 }),
    parseTrainOptions({ ...o, haltAfterStep: stepsPerEpoch }),
    {
      outDir: dir,
      progress: false,
    },
  );
  assert.equal(halted.state.step, stepsPerEpoch);
  const resumed = await trainModel(
    toyData({ seed: 3, batchSize: 8 }),
    parseTrainOptions({ ...o, resume: true }),
    {
      outDir: dir,
      progress: false,
    },
  );
  assert.equal(resumed.state.step, full.state.step);
  assert.deepEqual(resumed.config, full.config);
  assert.equal(resumed.weights.size, full.weights.size);
  for (const [name, w] of full.weights) {
    assert.deepEqual(resumed.weights.get(name)!.data, w.data, name);
  }
});

test('a non-finite loss stops training naming the step and the task', async () => {
  const data = toyData({ seed: 4, batchSize: 8, nanAt: 5 });
  await assert.rejects(
    trainModel(data, parseTrainOptions({ ...small, baseline: 'multihead', finetuneEpochs: 2 }), {
      outDir: tmp(),
      progress: false,
    }),
    (e: unknown) =>
      e instanceof MtaError &&
      e.code === 'NON_FINITE' &&
      /task "half"/.test(e.message) &&
      /step 5/.test(e.message),
  );
});

test('options: λ < 0, an unknown cost and a bad width are rejected naming the flag', () => {
  const check = (partial: Record<string, unknown>, flag: string): void => {
    assert.throws(
      () => parseTrainOptions(partial),
      (e: unknown) => e instanceof MtaError && e.code === 'BAD_ARGUMENT' && e.subject === flag,
    );
  };
  check({ lambda: -1 }, '--lambda');
  check({ cost: 'flops' }, '--cost');
  check({ width: 0 }, '--width');
  check({ baseline: 'wide' }, '--baseline');
});
