import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FRONTEND, loadAudio, logMel, toPatches } from '../src/audio/index.js';
import {
  clipPatches,
  loadSuiteFile,
  mix,
  prepareFeatures,
  resolveSuite,
  TaskBatcher,
  type FileAudio,
  type PrepareOptions,
} from '../src/data/index.js';
import { fsddDigitTask, fsddSubset, tempDir, writeSuite } from './data-fixtures.js';

const quiet = (cacheDir: string, extra: PrepareOptions = {}): PrepareOptions => ({
  cacheDir,
  progress: false,
  workers: 2,
  ...extra,
});

async function fsddSuite(label: string) {
  const dir = tempDir(label);
  const fsdd = fsddSubset(dir);
  const path = writeSuite(dir, { name: 's', tasks: [fsddDigitTask(fsdd)] });
  return { dir, fsdd, path, cache: join(dir, 'cache'), suite: await resolveSuite(loadSuiteFile(path)) };
}

function packData(cache: string): string[] {
  const fe = join(cache, 'features-v1');
  return readdirSync(fe).flatMap((d) => readdirSync(join(fe, d)).map((f) => join(fe, d, f)));
}

test('cache: a second run decodes nothing; features equal a direct computation; frames read back exactly', async () => {
  const { suite, cache } = await fsddSuite('hit');
  const first = await prepareFeatures(suite, quiet(cache));
  assert.equal(first.report.extracted, 24);
  assert.equal(first.report.cached, 0);
  first.close();
  const second = await prepareFeatures(suite, quiet(cache));
  assert.equal(second.report.extracted, 0, 'second run decoded again');
  assert.equal(second.report.cached, 24);
  const t = second.task('digit');
  for (const i of [0, 7, 23]) {
    const clip = t.clips[i];
    const m = logMel(await loadAudio((clip.audio as FileAudio).path), DEFAULT_FRONTEND);
    const got = second.clipFrames(t, i);
    assert.equal(got.frames, m.frames);
    assert.deepEqual(got.data, m.data);
    assert.deepEqual(clipPatches(second, 'digit', i), toPatches(m, DEFAULT_FRONTEND));
  }
  second.close();
});

test('cache: a changed front-end config misses; an edited file misses only for that file', async () => {
  const { suite, cache, fsdd } = await fsddSuite('miss');
  (await prepareFeatures(suite, quiet(cache))).close();
  const other = await prepareFeatures(
    suite,
    quiet(cache, { frontend: { ...DEFAULT_FRONTEND, melLowHz: 60 } }),
  );
  assert.equal(other.report.extracted, 24);
  assert.equal(other.task('digit').frames.length, 24);
  other.close();
  // Same path, new content: only that clip is recomputed (the key is the content hash, not the path).
  const victim = join(fsdd, '1_george_10.wav');
  const bytes = readFileSync(victim);
  bytes[bytes.length - 1] ^= 0x40;
  writeFileSync(victim, bytes);
  const after = await prepareFeatures(suite, quiet(cache));
  assert.equal(after.report.extracted, 1);
  assert.equal(after.report.cached, 23);
  after.close();
});

test('cache: a corrupt entry is detected by its CRC and rebuilt; the pack stays readable', async () => {
  const { suite, cache } = await fsddSuite('corrupt');
  const first = await prepareFeatures(suite, quiet(cache));
  const t = first.task('digit');
  const want = first.clipFrames(t, 5).data;
  first.close();
  const [pack] = packData(cache);
  const bytes = readFileSync(pack);
  bytes[bytes.length - 100] ^= 0xff; // inside the last entry's frames
  writeFileSync(pack, bytes);
  const again = await prepareFeatures(suite, quiet(cache));
  assert.equal(again.report.rebuilt, 1);
  assert.equal(again.report.extracted, 1);
  assert.equal(again.report.cached, 23);
  assert.deepEqual(again.clipFrames(again.task('digit'), 5).data, want);
  again.close();
  const third = await prepareFeatures(suite, quiet(cache));
  assert.equal(third.report.rebuilt, 0);
  assert.equal(third.report.extracted, 0);
  third.close();
  assert.equal(packData(cache).length, 1, 'the corrupt pack was replaced, not kept');
});

test('cache: an unreadable file is skipped and reported, the rest extracts', async () => {
  const { suite, cache, fsdd } = await fsddSuite('skip');
  writeFileSync(join(fsdd, '2_jackson_10.wav'), 'RIFF this is not audio');
  const store = await prepareFeatures(suite, quiet(cache));
  assert.equal(store.report.skipped.length, 1);
  assert.match(store.report.skipped[0].audio, /2_jackson_10\.wav$/);
  assert.equal(store.task('digit').clips.length, 23);
  store.close();
});

test('band limit: resampling through 8 kHz leaves nothing above 4 kHz', async () => {
  const dir = tempDir('bandlimit');
  const { encodeWav } = await import('../src/audio/index.js');
  // White noise at 16 kHz: full band before, band-limited after.
  let s = 1;
  const noise = new Float32Array(16000).map(() => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.5);
  writeFileSync(join(dir, 'a_1.wav'), encodeWav(noise, 16000));
  writeFileSync(join(dir, 'b_1.wav'), encodeWav(noise, 16000));
  const task = (through?: number) => ({
    name: through ? 'limited' : 'full',
    evalOnly: true,
    sources: [
      {
        type: 'glob',
        root: dir,
        pattern: '*.wav',
        labelRegex: '^(?<label>[ab])_',
        ...(through ? { transform: { resampleThroughHz: through } } : {}),
      },
    ],
  });
  const suite = await resolveSuite(
    loadSuiteFile(writeSuite(dir, { name: 's', tasks: [task(), task(8000)] })),
  );
  const store = await prepareFeatures(suite, quiet(join(dir, 'cache')));
  const [full, limited] = store.tasks.map((t) => store.clipFrames(t, 0));
  // HTK mel band centres (the formula, not our code): 64 bands between 125 and 7500 Hz.
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const step = (mel(7500) - mel(125)) / 65;
  const lowEdge = (b: number) => hz(mel(125) + b * step);
  const bandsAbove = [...Array(64).keys()].filter((b) => lowEdge(b) > 4300);
  const mean = (m: { frames: number; data: Float32Array }, b: number) => {
    let e = 0;
    for (let f = 0; f < m.frames; f++) e += Math.exp(m.data[f * 64 + b]);
    return e / m.frames;
  };
  for (const b of bandsAbove) {
    const dB = 20 * Math.log10(mean(limited, b) / mean(full, b));
    assert.ok(dB < -30, `band ${b} (from ${lowEdge(b).toFixed(0)} Hz) only ${dB.toFixed(1)} dB down`);
  }
  store.close();
});

test('mix: the residual is a scaled, circularly shifted noise segment at exactly the requested SNR', () => {
  const speech = Float32Array.from({ length: 4000 }, (_, i) => 0.3 * Math.sin(i * 0.05));
  const noise = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i * 1.7) + 0.5 * Math.cos(i * 0.31));
  for (const snr of [-5, 0, 10]) {
    const out = mix(speech, noise, { snrDb: snr, seed: 7, minSeconds: 0 }, 16000);
    assert.equal(out.length, speech.length);
    let ps = 0;
    let pr = 0;
    const r = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) {
      r[i] = out[i] - speech[i];
      ps += speech[i] * speech[i];
      pr += r[i] * r[i];
    }
    assert.ok(Math.abs(10 * Math.log10(ps / pr) - snr) < 0.01, `SNR ${snr}`);
    // r = g · noise[(off + i) mod N] for one offset: find it from r[0..1] and check everywhere.
    const g = Math.sqrt(pr / out.length / (noise.reduce((a, v) => a + v * v, 0) / noise.length));
    let best = -1;
    for (let off = 0; off < noise.length && best < 0; off++) {
      let ok = true;
      for (let i = 0; i < 50 && ok; i++) ok = Math.abs(r[i] - g * noise[(off + i) % noise.length]) < 0.02 * g;
      if (ok) best = off;
    }
    assert.ok(best >= 0, 'residual is not a shifted copy of the noise');
  }
  // A mixture at least minSeconds long holds the speech somewhere inside.
  const long = mix(speech, noise, { snrDb: 60, seed: 1, minSeconds: 1 }, 16000);
  assert.equal(long.length, 16000);
});

test('noise augmentation: cached noisy variants for training clips only, picked by the batcher', async () => {
  const dir = tempDir('noiseaug');
  const fsdd = fsddSubset(dir);
  const { escSubset } = await import('./data-fixtures.js');
  const esc = escSubset(dir, ['002 - Rain'], [1, 2]);
  const task = fsddDigitTask(fsdd, {
    augment: {
      noise: { source: { type: 'folders', root: esc }, snrDb: [0, 5], variants: 2, probability: 1 },
    },
  });
  const suite = await resolveSuite(loadSuiteFile(writeSuite(dir, { name: 's', seed: 1, tasks: [task] })));
  const store = await prepareFeatures(suite, quiet(join(dir, 'cache')));
  const t = store.task('digit');
  t.clips.forEach((c, i) => assert.equal(t.variants[i].length, c.split === 'train' ? 2 : 0, c.id));
  const i = t.clips.findIndex((c) => c.split === 'train');
  const clean = store.clipFrames(t, i).data;
  const noisy = store.clipFrames(t, i, 0).data;
  assert.equal(noisy.length, clean.length);
  assert.notDeepEqual(noisy, clean);
  // With probability 1 every training patch comes from a variant, never from the clean clip.
  const b = new TaskBatcher(store, 'digit', { batchSize: 64, seed: 3 });
  const [batch] = [...b.epoch(0)];
  for (let k = 0; k < batch.size; k++) {
    const c = batch.clips[k];
    const v = [0, 1].map((j) => store.clipFrames(t, c, j).data);
    const x = batch.x.subarray(k * 96 * 64, k * 96 * 64 + Math.min(96, t.frames[c]) * 64);
    assert.ok(
      v.some((d) => d.subarray(0, x.length).every((y, j) => y === x[j])),
      `patch ${k} is not a variant`,
    );
  }
  store.close();
});
