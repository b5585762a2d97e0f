import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, MtaError } from '../src/common/index.js';
import { DEFAULT_FRONTEND, logMel, toPatches } from '../src/audio/index.js';
import { createEngine } from '../src/engine/index.js';
import { decodeModelFile } from '../src/io/index.js';
import { loadModel } from '../src/runtime/index.js';
import { InferenceGraph } from '../src/runtime/graph.js';
import { PRUNED_CONFIG, randomModel, referenceLogits, softmaxRows } from './runtime-fixtures.js';

const F = 96;
const B = 64;
const TASKS = PRUNED_CONFIG.tasks;

function randomLogMel(frames: number, seed: number) {
  const rng = new Rng(seed);
  return { frames, bands: B, data: Float32Array.from({ length: frames * B }, () => rng.normal() * 2 - 3) };
}

function assertCode(fn: () => unknown, code: string, subject?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MtaError, `expected MtaError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (subject !== undefined) assert.equal(e.subject, subject);
    return true;
  });
}

async function assertRejects(p: Promise<unknown>, code: string, subject?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MtaError, `expected MtaError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (subject !== undefined) assert.equal(e.subject, subject);
    return true;
  });
}

test('folded graph: logits of every task equal the training network in eval mode (1e-5 relative)', async () => {
  const { net, bytes } = await randomModel();
  const file = decodeModelFile(bytes, 'fixture');
  const engine = await createEngine();
  const graph = new InferenceGraph(engine, file.model, file.weights, 'fixture');
  // 11 rows: the first blocks run over sub-batches of 8 and a partial one of 3 (stemBySubBatch).
  const n = 11;
  const x = randomLogMel(n * F, 7).data;
  const ref = referenceLogits(net, x, n);
  const mark = engine.mark();
  const got = graph.forward(
    engine.fromValues([n, F, B, 1], x),
    TASKS.map((_, t) => t),
  );
  TASKS.forEach((task, t) => {
    const a = got[t].data();
    const k = task.classes.length;
    assert.equal(a.length, n * k);
    for (let r = 0; r < n; r++) {
      const row = ref[t].subarray(r * k, (r + 1) * k);
      const scale = Math.max(...Array.from(row, Math.abs));
      assert.ok(scale > 1e-3, 'logits must not be trivially small');
      for (let j = 0; j < k; j++) {
        const err = Math.abs(a[r * k + j] - row[j]);
        assert.ok(err <= 1e-5 * scale, `${task.name}[${r}][${j}]: ${a[r * k + j]} vs ${row[j]}`);
      }
    }
  });
  engine.reset(mark);
});

test('only the selected tasks run: conv work is the encoder plus exactly the chosen columns', async () => {
  const { bytes } = await randomModel();
  const file = decodeModelFile(bytes, 'fixture');
  const engine = await createEngine();
  const graph = new InferenceGraph(engine, file.model, file.weights, 'fixture');
  const x = engine.fromValues([2, F, B, 1], randomLogMel(2 * F, 3).data);
  const tiles = (tasks: number[]): number => {
    const before = engine.kernels.conv_simd_tiles();
    const mark = engine.mark();
    graph.forward(x, tasks);
    engine.reset(mark);
    return engine.kernels.conv_simd_tiles() - before;
  };
  const encoder = tiles([]);
  assert.ok(encoder > 0);
  const per = TASKS.map((_, t) => tiles([t]) - encoder);
  per.forEach((d, t) => assert.ok(d > 0, `task ${TASKS[t].name} adds its head at least`));
  // The multi-head task runs only a head; tasks with adapters run more.
  assert.ok(per[0] > per[1] && per[2] > per[1] && per[3] > per[1]);
  assert.equal(tiles([0, 2]), encoder + per[0] + per[2]);
  assert.equal(tiles(TASKS.map((_, t) => t)), encoder + per.reduce((a, b) => a + b, 0));
});

test('predict on a log-mel: clip probabilities are the mean of the patches softmax', async () => {
  const { net, bytes } = await randomModel();
  const model = await loadModel(bytes, { batch: 3 });
  const m = randomLogMel(300, 11); // 300 frames: patches at 0, 48, …, 192 and one ending at frame 300
  const patches = toPatches(m, DEFAULT_FRONTEND);
  assert.equal(patches.count, 6);
  const ref = referenceLogits(net, patches.data, patches.count);
  const preds = await model.predict({ logmel: m }, { top: 2 });
  assert.deepEqual(
    preds.map((p) => p.task),
    TASKS.map((t) => t.name),
  );
  preds.forEach((p, t) => {
    const k = TASKS[t].classes.length;
    const probs = softmaxRows(ref[t], k);
    for (let j = 0; j < k; j++) {
      let mean = 0;
      for (let i = 0; i < patches.count; i++) mean += probs[i * k + j] / patches.count;
      assert.ok(
        Math.abs(p.probabilities[j] - mean) < 2e-6,
        `${p.task}[${j}]: ${p.probabilities[j]} vs ${mean}`,
      );
    }
    const best = Array.from(p.probabilities).reduce((b, v, j, a) => (v > a[b] ? j : b), 0);
    assert.equal(p.top.length, 2);
    assert.equal(p.top[0].index, best);
    assert.equal(p.top[0].label, TASKS[t].classes[best]);
    assert.ok(p.top[0].probability >= p.top[1].probability);
  });
});

test('predict on 16 kHz audio equals predict on its log-mel; task selection and order are kept', async () => {
  const { bytes } = await randomModel();
  const model = await loadModel(bytes);
  const rng = new Rng(5);
  const audio = Float32Array.from(
    { length: 16000 * 2 },
    (_, i) => 0.3 * Math.sin(i * 0.05) + 0.05 * rng.normal(),
  );
  const a = await model.predict({ audio, sampleRate: 16000 }, { tasks: ['late', 'full'], top: 1 });
  const b = await model.predict({ logmel: logMel(audio) }, { tasks: ['late', 'full'], top: 1 });
  assert.deepEqual(
    a.map((p) => p.task),
    ['late', 'full'],
  );
  assert.deepEqual(a, b);
  assert.equal(a[0].top.length, 1);
});

test('model metadata: tasks with classes and exact per-task cost, front end, info', async () => {
  const { bytes } = await randomModel();
  const model = await loadModel(bytes);
  const file = decodeModelFile(bytes, 'fixture');
  assert.deepEqual(
    model.tasks.map((t) => [t.name, t.classes, t.params, t.macs]),
    TASKS.map((t) => [t.name, t.classes, file.cost.tasks[t.name].params, file.cost.tasks[t.name].macs]),
  );
  // The multi-head task is its head alone: (16 encoder features + 1 bias) × 2 classes.
  assert.equal(model.tasks[1].params, 17 * 2);
  assert.deepEqual(model.frontend, DEFAULT_FRONTEND);
  assert.deepEqual(model.info, { origin: 'test fixture', seed: 1 });
});

test('bad predict arguments are typed errors naming the argument', async () => {
  const { bytes } = await randomModel();
  const model = await loadModel(bytes);
  const audio = new Float32Array(16000);
  await assertRejects(
    model.predict({ audio, sampleRate: 16000 }, { tasks: ['nope'] }),
    'BAD_ARGUMENT',
    'nope',
  );
  await assertRejects(model.predict({ audio, sampleRate: 16000 }, { tasks: [] }), 'BAD_ARGUMENT', 'tasks');
  await assertRejects(model.predict({ audio, sampleRate: 16000 }, { top: 0 }), 'BAD_ARGUMENT', 'top');
  await assertRejects(model.predict({ audio, sampleRate: 0 }), 'BAD_ARGUMENT', 'sampleRate');
  await assertRejects(
    model.predict({ audio: new Float32Array(0), sampleRate: 16000 }),
    'BAD_ARGUMENT',
    'audio',
  );
  await assertRejects(
    model.predict({ logmel: { frames: 10, bands: 40, data: new Float32Array(400) } }),
    'BAD_ARGUMENT',
    'logmel',
  );
  const withNaN = new Float32Array(16000);
  withNaN[8000] = NaN;
  await assertRejects(model.predict({ audio: withNaN, sampleRate: 16000 }), 'NON_FINITE');
  assertCode(() => model.stream({ sampleRate: 44100.5 }), 'BAD_ARGUMENT', 'sampleRate');
  model.dispose();
  await assertRejects(model.predict({ audio, sampleRate: 16000 }), 'BAD_ARGUMENT', 'model');
});
