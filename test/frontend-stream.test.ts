import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  DEFAULT_FRONTEND,
  LogMelStream,
  logMel,
  parseFrontendConfig,
  toPatches,
  type FrontendConfig,
  type Patches,
} from '../src/audio/index.js';
import { MtaError, Rng } from '../src/common/index.js';
import { DATA_DIR } from './helpers/paths.js';
import { readPcm16Wav } from './helpers/frontend-reference.js';

/** ~4.3 s of real 16 kHz speech (four speech-commands clips) followed by noise. */
function speech(): Float32Array {
  const dir = join(DATA_DIR, 'speech-commands-mini/speech_commands_v0.01');
  const parts = [
    'yes/439c84f4_nohash_1.wav',
    'cat/26e573a9_nohash_0.wav',
    'dog/62581901_nohash_0.wav',
    'house/2f813234_nohash_1.wav',
  ].map((f) => readPcm16Wav(join(dir, f)).samples);
  const rng = new Rng(9);
  const tail = Float64Array.from({ length: 5000 }, () => 0.05 * rng.normal());
  const all = new Float32Array([...parts, tail].reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of [...parts, tail]) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

/** Feeds x in chunks from sizes(), concatenating every frame and patch the stream emits, then end()'s. */
function stream(x: Float32Array, cfg: FrontendConfig, sizes: () => number) {
  const s = new LogMelStream(cfg);
  const frames: Float32Array[] = [];
  const patches: Patches[] = [];
  for (let o = 0; o < x.length;) {
    const n = Math.min(sizes(), x.length - o);
    const out = s.push(x.subarray(o, o + n));
    assert.equal(out.frames.data.length, out.frames.frames * cfg.melBands);
    frames.push(out.frames.data);
    patches.push(out.patches);
    o += n;
  }
  patches.push(s.end().patches);
  const cat = (xs: Float32Array[]) => {
    const r = new Float32Array(xs.reduce((n, a) => n + a.length, 0));
    xs.reduce((o, a) => (r.set(a, o), o + a.length), 0);
    return r;
  };
  return {
    frames: cat(frames),
    patchCount: patches.reduce((n, p) => n + p.count, 0),
    patches: cat(patches.map((p) => p.data)),
  };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('random chunk sizes (0, 1, small, large) reproduce the batch frames and patches within 1e-6', () => {
  const x = speech();
  const batch = logMel(x);
  const batchPatches = toPatches(batch);
  const rng = new Rng(3);
  const chunkings: [string, () => number][] = [
    ['mixed', () => [0, 1, 1, 7, 159, 160, 161, 399, 400, 401, 4096][rng.int(11)]],
    ['random ≤ 3000', () => rng.int(3001)],
    ['single samples', () => 1],
    ['whole clip', () => x.length],
  ];
  for (const [name, sizes] of chunkings) {
    const got = stream(name === 'single samples' ? x.subarray(0, 20000) : x, DEFAULT_FRONTEND, sizes);
    const ref = name === 'single samples' ? logMel(x.subarray(0, 20000)) : batch;
    const refPatches = name === 'single samples' ? toPatches(ref) : batchPatches;
    assert.ok(maxDiff(got.frames, ref.data) <= 1e-6, name);
    assert.equal(got.patchCount, refPatches.count, name);
    assert.ok(maxDiff(got.patches, refPatches.data) <= 1e-6, name);
  }
});

test('other patch hops and a clip shorter than one patch match the batch policy', () => {
  const x = speech();
  const rng = new Rng(4);
  for (const cfg of [
    parseFrontendConfig({ patchHopFrames: 96 }),
    parseFrontendConfig({ patchHopFrames: 17 }),
  ]) {
    for (const clip of [x, x.subarray(0, 9000), x.subarray(0, 15600), x.subarray(0, 399)]) {
      const got = stream(clip, cfg, () => rng.int(2000));
      const ref = toPatches(logMel(clip, cfg), cfg);
      assert.equal(got.patchCount, ref.count, `hop ${cfg.patchHopFrames}, ${clip.length} samples`);
      assert.ok(maxDiff(got.patches, ref.data) <= 1e-6);
    }
  }
});

test('end() resets the stream for the next clip', () => {
  const x = speech().subarray(0, 30000);
  const s = new LogMelStream();
  s.push(x.subarray(0, 12345));
  s.end();
  const again = s.push(x);
  const tail = s.end();
  assert.ok(maxDiff(again.frames.data, logMel(x).data) <= 1e-6);
  const ref = toPatches(logMel(x));
  assert.equal(again.patches.count + tail.patches.count, ref.count);
});

test('a NaN pushed into the stream is a NON_FINITE error', () => {
  const s = new LogMelStream();
  s.push(new Float32Array(1000));
  const bad = new Float32Array(500);
  bad[100] = NaN;
  assert.throws(
    () => s.push(bad),
    (e: unknown) => e instanceof MtaError && e.code === 'NON_FINITE' && e.subject === 'samples',
  );
});
