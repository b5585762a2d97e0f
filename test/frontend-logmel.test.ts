/**
 * The batch log-mel front end against independent float64 references (test/helpers/frontend-reference.ts:
 * direct DFT, explicit triangular mel matrix) and against the numpy reference fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FRONTEND, LogMelExtractor, logMel, parseFrontendConfig } from '../src/audio/index.js';
import { RealFft } from '../src/audio/fft.js';
import { MtaError, Rng } from '../src/common/index.js';
import { DATA_DIR, FIXTURES_DIR } from './helpers/paths.js';
import {
  REF_DEFAULTS,
  maxAbsDiff,
  readPcm16Wav,
  refBandCentersHz,
  refDftMagnitude,
  refLogMel,
} from './helpers/frontend-reference.js';

const SPEECH = join(DATA_DIR, 'speech-commands-mini/speech_commands_v0.01');

function clip(word: string, file: string): Float32Array {
  const { sampleRate, samples } = readPcm16Wav(join(SPEECH, word, file));
  assert.equal(sampleRate, 16000);
  return Float32Array.from(samples);
}

test('RealFft windowed magnitudes equal a direct DFT for every size and zero-padded frame length', () => {
  const rng = new Rng(1);
  for (const size of [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]) {
    const fft = new RealFft(size);
    for (const length of new Set([size, size - 1, Math.max(1, Math.floor(size * 0.78)), 1])) {
      const offset = 3;
      const x = Float32Array.from({ length: offset + length }, () => rng.uniform(-1, 1));
      const window = Array.from({ length }, () => rng.uniform(0, 1));
      const ref = refDftMagnitude(
        Array.from(window, (w, i) => w * x[offset + i]),
        size,
      );
      const out = new Array<number>(size / 2 + 1).fill(-1);
      fft.windowedMagnitude(x, offset, window, out, 0, size / 2 + 1);
      let err = 0;
      ref.forEach((v, k) => (err = Math.max(err, Math.abs(out[k] - v))));
      assert.ok(err < 1e-9 * size, `size ${size} length ${length}: max error ${err}`);
      // A bin range writes exactly those bins.
      const from = Math.floor(size / 8);
      const to = size / 2 - 1;
      const part = new Array<number>(size / 2 + 1).fill(-1);
      fft.windowedMagnitude(x, offset, window, part, from, to);
      part.forEach((v, k) => assert.equal(v, k >= from && k < to ? out[k] : -1, `size ${size} bin ${k}`));
    }
  }
});

test('log-mel of real speech-commands clips matches the float64 reference within 1e-4', () => {
  const clips: [string, string][] = [
    ['seven', '37e8db82_nohash_1.wav'],
    ['marvin', '5fe4a278_nohash_0.wav'],
    ['stop', '1eddce1d_nohash_3.wav'],
    ['house', '2f813234_nohash_1.wav'],
  ];
  const ex = new LogMelExtractor();
  for (const [word, file] of clips) {
    const x = clip(word, file);
    const got = ex.compute(x);
    const ref = refLogMel(x);
    assert.equal(got.frames, ref.length, `${word}/${file} frames`);
    assert.equal(got.bands, 64);
    const err = maxAbsDiff(got.data, ref);
    assert.ok(err <= 1e-4, `${word}/${file}: max abs error ${err}`);
  }
});

test('log-mel matches the numpy fixtures (shape and values within 1e-4)', () => {
  for (const name of [
    'cat-26e573a9_nohash_0.wav',
    'dog-62581901_nohash_0.wav',
    'yes-439c84f4_nohash_1.wav',
  ]) {
    const ref = JSON.parse(readFileSync(join(FIXTURES_DIR, 'logmel', `${name}.json`), 'utf8')) as number[][];
    const [word, file] = [name.slice(0, name.indexOf('-')), name.slice(name.indexOf('-') + 1)];
    const got = logMel(clip(word, file));
    assert.deepEqual([got.frames, got.bands], [ref.length, ref[0].length], name);
    const err = maxAbsDiff(got.data, ref);
    assert.ok(err <= 1e-4, `${name}: max abs error ${err}`);
  }
});

test('a non-default front end (8 kHz, 32 ms / 16 ms, FFT 1024, 40 bands 60–3800 Hz) matches the reference', () => {
  const p = {
    sampleRate: 8000,
    windowSamples: 256,
    hopSamples: 128,
    fftSize: 1024,
    melBands: 40,
    melLowHz: 60,
    melHighHz: 3800,
    logOffset: 1e-6,
  };
  const { sampleRate, samples } = readPcm16Wav(join(DATA_DIR, 'fsdd/recordings/3_theo_7.wav'));
  assert.equal(sampleRate, 8000);
  const x = Float32Array.from(samples);
  const got = logMel(x, parseFrontendConfig(p));
  const ref = refLogMel(x, p);
  assert.equal(got.frames, ref.length);
  assert.equal(got.bands, 40);
  // log(mel + 1e-6) amplifies absolute error in near-silent bands 1000× more than the default offset.
  assert.ok(maxAbsDiff(got.data, ref) <= 1e-4, `max abs error ${maxAbsDiff(got.data, ref)}`);
});

test('a pure tone peaks in the mel band whose centre is nearest its frequency', () => {
  const centres = refBandCentersHz();
  const toMel = (hz: number) => 1127 * Math.log(1 + hz / 700);
  const ex = new LogMelExtractor();
  for (const f of [
    200,
    440,
    1000,
    1234.5,
    2500,
    4000,
    5555,
    7000,
    ...[10, 30, 50, 63].map((b) => centres[b]),
  ]) {
    const x = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / 16000));
    const m = ex.compute(x);
    const mean = new Float64Array(64);
    for (let t = 0; t < m.frames; t++) for (let b = 0; b < 64; b++) mean[b] += m.data[t * 64 + b] / m.frames;
    const peak = mean.indexOf(Math.max(...mean));
    const distances = centres.map((c) => Math.abs(toMel(c) - toMel(f)));
    const nearest = distances.indexOf(Math.min(...distances));
    assert.equal(peak, nearest, `${f} Hz: peak band ${peak}, nearest centre band ${nearest}`);
  }
});

test('clips shorter than one window give zero frames; one window gives one frame', () => {
  assert.equal(logMel(new Float32Array(399)).frames, 0);
  assert.equal(logMel(new Float32Array(0)).data.length, 0);
  const one = logMel(new Float32Array(400));
  assert.equal(one.frames, 1);
  // Silence is log(0 + logOffset) in every band.
  assert.ok(one.data.every((v) => v === Math.fround(Math.log(DEFAULT_FRONTEND.logOffset))));
  assert.equal(logMel(new Float32Array(15600)).frames, 96);
});

test('NaN or Inf samples give NON_FINITE naming the samples, never a silent NaN matrix', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const x = new Float32Array(4000);
    x[1234] = bad;
    assert.throws(
      () => logMel(x),
      (e: unknown) => e instanceof MtaError && e.code === 'NON_FINITE' && e.subject === 'samples',
    );
  }
});

test('extractor output uses the reference conventions on random noise at several levels', () => {
  const rng = new Rng(5);
  for (const level of [1e-4, 0.1, 1]) {
    const x = Float32Array.from({ length: 3000 }, () => level * rng.normal());
    const err = maxAbsDiff(logMel(x).data, refLogMel(x, REF_DEFAULTS));
    assert.ok(err <= 1e-4, `level ${level}: ${err}`);
  }
});
