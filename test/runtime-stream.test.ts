import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/common/index.js';
import { DEFAULT_FRONTEND, logMel, toPatches } from '../src/audio/index.js';
import { createEngine } from '../src/engine/index.js';
import { decodeModelFile } from '../src/io/index.js';
import { loadModel, type TaskPrediction } from '../src/runtime/index.js';
import { RuntimeModel } from '../src/runtime/model.js';
import { PRUNED_CONFIG, randomModel, referenceLogits, softmaxRows } from './runtime-fixtures.js';

const TASKS = PRUNED_CONFIG.tasks;

function speechLike(n: number, rate: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from(
    { length: n },
    (_, i) =>
      0.3 * Math.sin((2 * Math.PI * 220 * i) / rate) * (0.5 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / rate)) +
      0.05 * rng.normal(),
  );
}

function pushInChunks(push: (c: Float32Array) => TaskPrediction[][], x: Float32Array, seed: number) {
  const rng = new Rng(seed);
  const out: TaskPrediction[][] = [];
  for (let off = 0; off < x.length;) {
    const size = [0, 1, 100, 160, 1234, 8000][rng.int(6)];
    out.push(...push(x.subarray(off, off + size)));
    off += size;
  }
  return out;
}

function meanOf(patches: TaskPrediction[][], slot: number): Float64Array {
  const k = patches[0][slot].probabilities.length;
  const m = new Float64Array(k);
  for (const p of patches) for (let j = 0; j < k; j++) m[j] += p[slot].probabilities[j] / patches.length;
  return m;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('stream at 16 kHz: one prediction per patch, equal to the reference network on the same patches', async () => {
  const { net, bytes } = await randomModel();
  const model = await loadModel(bytes);
  const audio = speechLike(16000 * 3 + 777, 16000, 1);
  const s = model.stream({ sampleRate: 16000, top: 3 });
  const got = [...pushInChunks((c) => s.push(c), audio, 2), ...s.end()];
  const patches = toPatches(logMel(audio), DEFAULT_FRONTEND);
  assert.equal(got.length, patches.count);
  const ref = referenceLogits(net, patches.data, patches.count);
  TASKS.forEach((task, t) => {
    const k = task.classes.length;
    const probs = softmaxRows(ref[t], k);
    got.forEach((p, i) => {
      assert.equal(p[t].task, task.name);
      assertClose(p[t].probabilities, probs.subarray(i * k, (i + 1) * k), 2e-6, `${task.name} patch ${i}`);
    });
  });
  // predict() on the whole clip is the mean of the stream's patches.
  const clip = await model.predict({ audio, sampleRate: 16000 });
  clip.forEach((p, t) => assertClose(p.probabilities, meanOf(got, t), 1e-6, p.task));
});

test('stream at 48 kHz in odd chunks equals predict on the same 48 kHz clip (resampled alike)', async () => {
  const { bytes } = await randomModel();
  const model = await loadModel(bytes);
  const audio = speechLike(48000 * 2 + 123, 48000, 3);
  const s = model.stream({ sampleRate: 48000, tasks: ['gaps', 'multihead'] });
  const got = [...pushInChunks((c) => s.push(c), audio, 4), ...s.end()];
  const clip = await model.predict({ audio, sampleRate: 48000 }, { tasks: ['gaps', 'multihead'] });
  assert.equal(got.length, 4); // 2.0026 s → 197 frames: patches at 0, 48, 96 and one ending at frame 197
  assert.deepEqual(
    got[0].map((p) => p.task),
    ['gaps', 'multihead'],
  );
  clip.forEach((p, t) => assertClose(p.probabilities, meanOf(got, t), 1e-6, p.task));
  // After end() the stream starts over: the same input gives the same predictions.
  const again = [...pushInChunks((c) => s.push(c), audio, 5), ...s.end()];
  assert.deepEqual(again, got);
});

test('audio shorter than a patch gives one padded patch; shorter than a window is padded with silence', async () => {
  const { bytes } = await randomModel();
  const model = await loadModel(bytes);
  const short = speechLike(4000, 16000, 6); // 0.25 s: 23 frames
  const p = await model.predict({ audio: short, sampleRate: 16000 });
  const m = logMel(short);
  assert.equal(m.frames, 23);
  assert.deepEqual(p, await model.predict({ logmel: m }));
  const s = model.stream({ sampleRate: 16000 });
  assert.deepEqual(s.push(short), []);
  const streamed = s.end();
  assert.equal(streamed.length, 1);
  streamed[0].forEach((q, t) => assertClose(q.probabilities, p[t].probabilities, 1e-6, q.task));
  // 100 samples (6 ms) are less than one 400-sample window: predict pads them with zeros.
  const tiny = short.subarray(0, 100);
  const padded = new Float32Array(400);
  padded.set(tiny);
  assert.deepEqual(
    await model.predict({ audio: tiny, sampleRate: 16000 }),
    await model.predict({ audio: padded, sampleRate: 16000 }),
  );
});

test('silence and clipped audio give finite probabilities that sum to 1', async () => {
  const { bytes } = await randomModel();
  const model = await loadModel(bytes);
  const silence = await model.predict({ audio: new Float32Array(16000), sampleRate: 16000 });
  // Digital silence is the padding level everywhere: the same as an all-silence log-mel.
  const level = Math.fround(Math.log(DEFAULT_FRONTEND.logOffset));
  const flat = { frames: 97, bands: 64, data: new Float32Array(97 * 64).fill(level) };
  assert.deepEqual(silence, await model.predict({ logmel: flat }));
  const loud = speechLike(16000, 16000, 7).map((v) => Math.max(-1, Math.min(1, v * 50)));
  const huge = speechLike(16000, 16000, 8).map((v) => v * 1e6);
  for (const [name, preds] of [
    ['silence', silence],
    ['clipped', await model.predict({ audio: loud, sampleRate: 16000 })],
    ['huge', await model.predict({ audio: huge, sampleRate: 16000 })],
  ] as const) {
    for (const p of preds) {
      assert.ok(p.probabilities.every(Number.isFinite), `${name} ${p.task}`);
      const sum = p.probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `${name} ${p.task}: sums to ${sum}`);
    }
  }
});

test('steady state: repeated predictions allocate no engine memory and give identical results', async () => {
  const { bytes } = await randomModel();
  const engine = await createEngine();
  const model = new RuntimeModel(engine, decodeModelFile(bytes, 'fixture'), 'fixture', 4);
  const audio = speechLike(16000 * 3, 16000, 9);
  const first = await model.predict({ audio, sampleRate: 16000 });
  const memory = engine.arena.memoryBytes();
  const scratch = engine.arena.scratch.reserved();
  const persistent = engine.arena.persistent.used();
  const mark = engine.mark();
  for (let i = 0; i < 30; i++) assert.deepEqual(await model.predict({ audio, sampleRate: 16000 }), first);
  const s = model.stream({ sampleRate: 16000 });
  for (let i = 0; i < 30; i++) s.push(audio.subarray(i * 1600, (i + 1) * 1600));
  assert.equal(engine.arena.memoryBytes(), memory);
  assert.equal(engine.arena.scratch.reserved(), scratch);
  assert.equal(engine.arena.persistent.used(), persistent);
  assert.equal(engine.mark(), mark);
});
