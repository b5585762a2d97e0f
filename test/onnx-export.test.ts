import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { MtaError } from '../src/common/index.js';
import {
  DEFAULT_FRONTEND,
  loadAudio,
  logMel,
  toPatches,
  type LogMel,
  type Patches,
} from '../src/audio/index.js';
import { createEngine } from '../src/engine/index.js';
import { decodeModelFile, encodeOnnx, encodeOnnxPerTask, ONNX_INPUT } from '../src/io/index.js';
import { onnxModelType } from '../src/io/onnx-schema.js';
import { loadModel } from '../src/runtime/index.js';
import { InferenceGraph } from '../src/runtime/graph.js';
import { DATA_DIR } from './helpers/paths.js';
import { PRUNED_CONFIG, randomModel, softmaxRows } from './runtime-fixtures.js';

const CLIPS = [
  'fsdd/recordings/7_jackson_32.wav', // WAV 8 kHz
  'esc10/001 - Dog bark/1-100032-A.ogg', // Ogg Vorbis 44.1 kHz, 5 s
  'speech-commands-mini/speech_commands_v0.01/yes/439c84f4_nohash_1.wav', // WAV 16 kHz
];

async function clipFeatures(): Promise<{ logmel: LogMel; patches: Patches }[]> {
  return Promise.all(
    CLIPS.map(async (c) => {
      const m = logMel(await loadAudio(join(DATA_DIR, c)));
      return { logmel: m, patches: toPatches(m, DEFAULT_FRONTEND) };
    }),
  );
}

async function runOnnx(bytes: Uint8Array, p: Patches): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  // [N, frames, bands] row-major is the same memory as NCHW [N, 1, frames, bands].
  const x = new ort.Tensor('float32', p.data, [p.count, 1, p.frames, p.bands]);
  const out = await session.run({ [ONNX_INPUT]: x });
  await session.release();
  return out;
}

test('onnxruntime-node on the exported graph matches our runtime on real clips within 1e-4', async () => {
  const { bytes } = await randomModel(PRUNED_CONFIG, 3);
  const file = decodeModelFile(bytes, 'fixture');
  const onnx = encodeOnnx(file);
  const model = await loadModel(bytes);
  const engine = await createEngine();
  const graph = new InferenceGraph(engine, file.model, file.weights, 'fixture');
  for (const [i, { logmel, patches: p }] of (await clipFeatures()).entries()) {
    assert.ok(p.count >= 1);
    const out = await runOnnx(onnx, p);
    const mark = engine.mark();
    const logits = graph.forward(
      engine.fromValues([p.count, p.frames, p.bands, 1], p.data),
      PRUNED_CONFIG.tasks.map((_, t) => t),
    );
    const preds = await model.predict({ logmel });
    PRUNED_CONFIG.tasks.forEach((task, t) => {
      const k = task.classes.length;
      const ourLogits = logits[t].data();
      const theirLogits = out[`${task.name}/logits`].data as Float32Array;
      const theirProbs = out[task.name].data as Float32Array;
      assert.deepEqual(out[task.name].dims, [p.count, k]);
      const scale = Math.max(1, ...Array.from(ourLogits, Math.abs));
      for (let j = 0; j < ourLogits.length; j++) {
        assert.ok(
          Math.abs(ourLogits[j] - theirLogits[j]) <= 1e-4 * scale,
          `${CLIPS[i]} ${task.name} logit ${j}: ours ${ourLogits[j]}, onnxruntime ${theirLogits[j]}`,
        );
      }
      // Probabilities: onnxruntime's softmax vs a float64 softmax of our logits, and the clip mean vs predict().
      const ref = softmaxRows(ourLogits, k);
      for (let j = 0; j < ref.length; j++) assert.ok(Math.abs(theirProbs[j] - ref[j]) <= 1e-4);
      for (let c = 0; c < k; c++) {
        let mean = 0;
        for (let r = 0; r < p.count; r++) mean += theirProbs[r * k + c] / p.count;
        assert.ok(
          Math.abs(preds[t].probabilities[c] - mean) <= 1e-4,
          `${CLIPS[i]} ${task.name} clip class ${c}`,
        );
      }
    });
    engine.reset(mark);
  }
});

test('graph interface: input, one probability and one logits output per task, metadata with classes and cost', async () => {
  const { bytes } = await randomModel();
  const file = decodeModelFile(bytes, 'fixture');
  const onnx = encodeOnnx(file, { tasks: ['late', 'full'] });
  const session = await ort.InferenceSession.create(onnx);
  assert.deepEqual(session.inputNames, [ONNX_INPUT]);
  assert.deepEqual(session.outputNames, ['late', 'late/logits', 'full', 'full/logits']);
  await session.release();
  const type = onnxModelType();
  const decoded = type.toObject(type.decode(onnx), { longs: Number }) as {
    metadataProps: { key: string; value: string }[];
    opsetImport: { version: number }[];
  };
  const meta = Object.fromEntries(decoded.metadataProps.map((e) => [e.key, e.value]));
  assert.deepEqual(
    JSON.parse(meta['mta.tasks']).map((t: { name: string; classes: string[] }) => [t.name, t.classes]),
    [
      ['late', PRUNED_CONFIG.tasks[2].classes],
      ['full', PRUNED_CONFIG.tasks[0].classes],
    ],
  );
  const cost = JSON.parse(meta['mta.cost']);
  assert.deepEqual(Object.keys(cost.tasks), ['late', 'full']);
  assert.equal(cost.tasks.late.params, file.cost.tasks.late.params);
  assert.equal(
    cost.total.params,
    file.cost.shared.params + file.cost.tasks.late.params + file.cost.tasks.full.params,
  );
  assert.deepEqual(JSON.parse(meta['mta.frontend']), DEFAULT_FRONTEND);
  assert.equal(decoded.opsetImport[0].version, 13);
});

test('per-task graphs give the same outputs as the all-task graph; unknown tasks are typed errors', async () => {
  const { bytes } = await randomModel(PRUNED_CONFIG, 5);
  const file = decodeModelFile(bytes, 'fixture');
  const [{ patches: p }] = await clipFeatures();
  const all = await runOnnx(encodeOnnx(file), p);
  const perTask = encodeOnnxPerTask(file);
  assert.deepEqual(
    [...perTask.keys()],
    PRUNED_CONFIG.tasks.map((t) => t.name),
  );
  for (const [name, onnx] of perTask) {
    const out = await runOnnx(onnx, p);
    assert.deepEqual(Object.keys(out).sort(), [name, `${name}/logits`].sort());
    const a = out[name].data as Float32Array;
    const b = all[name].data as Float32Array;
    for (let j = 0; j < a.length; j++) assert.ok(Math.abs(a[j] - b[j]) <= 1e-6);
  }
  assert.throws(
    () => encodeOnnx(file, { tasks: ['full', 'nope'] }),
    (e: unknown) => e instanceof MtaError && e.code === 'BAD_ARGUMENT' && e.subject === 'nope',
  );
});
