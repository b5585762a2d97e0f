import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEFAULT_FRONTEND, loadAudio, logMel, toPatches } from '../src/audio/index.js';
import { evalClips, openSuite, prepareFeatures, resolveSuite } from '../src/data/index.js';
import { decodeModelFile } from '../src/io/index.js';
import { importWeights, MultiTaskNetwork, parseModelConfig } from '../src/model/index.js';
import { createEngine } from '../src/engine/index.js';
import { evaluateClips } from '../src/train/index.js';
import { runCli } from './helpers/cli.js';
import { DATA_DIR } from './helpers/paths.js';
import { PRUNED_CONFIG, randomModel, referenceLogits, softmaxRows } from './runtime-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'mta-runtime-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CLIPS = [
  join(DATA_DIR, 'fsdd/recordings/3_theo_10.wav'),
  join(DATA_DIR, 'esc10/002 - Rain/1-17367-A.ogg'),
];

async function writeModel(name: string, config = PRUNED_CONFIG, seed = 1) {
  const m = await randomModel(config, seed);
  const path = join(dir, name);
  writeFileSync(path, m.bytes);
  return { ...m, path };
}

test('mta infer --json: per file and task, the mean patch probabilities of the reference network', async () => {
  const { net, path } = await writeModel('infer.safetensors');
  const r = runCli(['infer', path, ...CLIPS, '--json', '--tasks', 'gaps,full', '--top', '2']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.files.length, 2);
  for (const [i, file] of out.files.entries()) {
    assert.equal(file.file, CLIPS[i]);
    const patches = toPatches(logMel(await loadAudio(CLIPS[i])), DEFAULT_FRONTEND);
    assert.equal(file.patches, patches.count);
    const ref = referenceLogits(net, patches.data, patches.count);
    assert.deepEqual(
      file.tasks.map((t: { task: string }) => t.task),
      ['gaps', 'full'],
    );
    for (const t of file.tasks) {
      const ti = PRUNED_CONFIG.tasks.findIndex((x) => x.name === t.task);
      const classes = PRUNED_CONFIG.tasks[ti].classes;
      const probs = softmaxRows(ref[ti], classes.length);
      const mean = classes.map((_, j) => {
        let s = 0;
        for (let p = 0; p < patches.count; p++) s += probs[p * classes.length + j] / patches.count;
        return s;
      });
      classes.forEach((c, j) => assert.ok(Math.abs(t.probabilities[c] - mean[j]) < 1e-5, `${t.task} ${c}`));
      const best = mean.indexOf(Math.max(...mean));
      assert.equal(t.top.length, 2);
      assert.deepEqual([t.top[0].label, t.top[0].index], [classes[best], best]);
    }
  }
});

test('mta infer: text output; a bad file is reported and the others still listed (exit 2)', async () => {
  const { path } = await writeModel('infer2.safetensors');
  const bad = join(dir, 'not-audio.wav');
  writeFileSync(bad, 'this is not audio');
  const r = runCli(['infer', path, CLIPS[0], bad, '--top', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /3_theo_10\.wav \(0\.\d\d s, 1 patch\)/);
  for (const t of PRUNED_CONFIG.tasks)
    assert.match(r.stdout, new RegExp(`^  ${t.name} +\\S+ 0\\.\\d{3}$`, 'm'));
  assert.match(r.stderr, /mta: error \[UNSUPPORTED_FORMAT\] .*not-audio\.wav/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/); // no stack trace
});

test('mta infer: an unknown task and a bad model file stop with a typed error (exit 2)', async () => {
  const { path } = await writeModel('infer3.safetensors');
  const unknown = runCli(['infer', path, CLIPS[0], '--tasks', 'full,nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^mta: error \[BAD_ARGUMENT\] nope: the model has no such task/);
  const garbage = join(dir, 'garbage.safetensors');
  writeFileSync(garbage, new Uint8Array(64).fill(7));
  const bad = runCli(['infer', garbage, CLIPS[0]]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, new RegExp(`^mta: error \\[[A-Z_]+\\] ${garbage.replaceAll('.', '\\.')}: `));
  const missing = runCli(['export', join(dir, 'missing.safetensors'), '--onnx', join(dir, 'x.onnx')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\[FILE_NOT_FOUND\] .*missing\.safetensors/);
});

test('mta export --onnx, and --per-task: files that onnxruntime-node loads, with the documented outputs', async () => {
  const { path } = await writeModel('export.safetensors');
  const whole = join(dir, 'model.onnx');
  const r = runCli(['export', path, '--onnx', whole]);
  assert.equal(r.code, 0, r.stderr);
  const session = await ort.InferenceSession.create(whole);
  assert.deepEqual(
    session.outputNames,
    PRUNED_CONFIG.tasks.flatMap((t) => [t.name, `${t.name}/logits`]),
  );
  await session.release();
  const per = runCli(['export', path, '--onnx', join(dir, 'split.onnx'), '--per-task']);
  assert.equal(per.code, 0, per.stderr);
  for (const t of PRUNED_CONFIG.tasks) {
    const file = join(dir, `split.${t.name}.onnx`);
    assert.ok(existsSync(file), file);
    const s = await ort.InferenceSession.create(file);
    assert.deepEqual(s.outputNames, [t.name, `${t.name}/logits`]);
    await s.release();
  }
  assert.ok(!existsSync(join(dir, 'split.onnx')));
});

test('mta eval on the built-in suite equals train/evaluate on the training network (same clips and labels)', async () => {
  const config = parseModelConfig({
    ...PRUNED_CONFIG,
    tasks: [
      { name: 'smn', classes: ['speech', 'music', 'noise'] },
      { name: 'bird', classes: ['absent', 'present'], adapter: PRUNED_CONFIG.tasks[2].adapter },
      { name: 'not-in-suite', classes: ['a', 'b'] },
    ],
  });
  const { path, bytes } = await writeModel('eval.safetensors', config, 4);
  const cache = join(dir, 'cache');
  const r = runCli([
    'eval', path, '--suite', 'builtin', '--clips-per-task', '48', '--cache-dir', cache, '--json',
  ]); // prettier-ignore
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(
    out.tasks.map((t: { task: string }) => t.task),
    ['smn', 'bird'],
  );
  // Reference: the same cached features, the unfolded network, the trainer's evaluation.
  const suite = await resolveSuite(openSuite('builtin', { clipsPerTask: 48 }));
  const tasks = suite.tasks.filter((t) => t.name === 'smn' || t.name === 'bird');
  const store = await prepareFeatures(
    { ...suite, tasks },
    { cacheDir: cache, splits: ['test'], progress: false },
  );
  const file = decodeModelFile(bytes, 'eval');
  const net = new MultiTaskNetwork(await createEngine(), file.model);
  importWeights(net, file.weights, 'eval');
  for (const [ti, name] of ['smn', 'bird'].entries()) {
    const ref = evaluateClips(net, ti, evalClips(store, name, 'test'));
    const got = out.tasks[ti];
    assert.ok(ref.clips > 0);
    assert.deepEqual(got.confusion, ref.confusion, name);
    assert.equal(got.clips, ref.clips);
    assert.equal(got.patches, ref.patches);
    assert.equal(got.clipAccuracy, ref.clipAccuracy);
    assert.equal(got.patchAccuracy, ref.patchAccuracy);
  }
  store.close();
  const text = runCli(['eval', path, '--suite', 'builtin', '--clips-per-task', '48', '--cache-dir', cache]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^smn: clip accuracy \d+\.\d% \(\d+ clips\), patch accuracy \d+\.\d% \(\d+ patches\)$/m,
  );
  assert.match(text.stderr, /not in the suite, skipped: not-in-suite/);
  const none = runCli(['eval', join(dir, 'infer.safetensors'), '--suite', 'builtin', '--cache-dir', cache]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /\[BAD_ARGUMENT\] builtin: no task of the model is in the suite/);
});
