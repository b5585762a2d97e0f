import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudio, downmix, encodeWav, loadAudio, loadAudioBytes, resample } from '../src/audio/index.js';
import { DATA_DIR } from './helpers/paths.js';
import { bandEnergies, db, sine, toneAmplitude } from './audio-reference.js';

const FSDD_CLIP = join(DATA_DIR, 'fsdd/recordings/0_george_0.wav');

/** Level (dB re the input amplitude) of `freq` in the output, away from the start/end transients. */
function levelDb(y: Float32Array, freq: number, rate: number, inputAmp: number): number {
  const edge = Math.round(rate * 0.05);
  return db(toneAmplitude(y, freq, rate, edge, y.length - edge) / inputAmp);
}

function rms(x: ArrayLike<number>, start = 0, end = x.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i] * x[i];
  return Math.sqrt(s / (end - start));
}

test('resample 44.1 -> 16 kHz: a 7 kHz tone keeps its level within 0.5 dB', async () => {
  const y = await resample(sine(7000, 44100, 44100), 44100, 16000);
  const level = levelDb(y, 7000, 16000, 0.5);
  assert.ok(Math.abs(level) <= 0.5, `7 kHz level ${level.toFixed(3)} dB`);
});

test('resample 44.1 -> 16 kHz: a 9 kHz tone is attenuated by at least 60 dB', async () => {
  const y = await resample(sine(9000, 44100, 44100), 44100, 16000);
  // 9 kHz would alias to 16 - 9 = 7 kHz; any leak shows there, and in the total output power.
  const alias = levelDb(y, 7000, 16000, 0.5);
  const total = db(rms(y, 800, y.length - 800) / (0.5 / Math.SQRT2));
  assert.ok(alias <= -60, `alias at 7 kHz: ${alias.toFixed(1)} dB`);
  assert.ok(total <= -60, `total output power: ${total.toFixed(1)} dB`);
});

// The figures documented in README "Audio input" (SRC_SINC_BEST_QUALITY, output 16 kHz).
for (const fromRate of [44100, 48000, 22050]) {
  test(`resample ${fromRate} -> 16000 Hz: passband flat to 7.5 kHz, stopband below -140 dB`, async () => {
    for (const f of [1000, 4000, 7000, 7500]) {
      const level = levelDb(await resample(sine(f, fromRate, fromRate / 2), fromRate, 16000), f, 16000, 0.5);
      assert.ok(Math.abs(level) <= 0.01, `${f} Hz: ${level.toFixed(4)} dB`);
    }
    for (const f of [8100, 9000, 10500]) {
      const y = await resample(sine(f, fromRate, fromRate / 2), fromRate, 16000);
      const level = levelDb(y, 16000 - f, 16000, 0.5);
      assert.ok(level <= -140, `${f} Hz (aliased to ${16000 - f} Hz): ${level.toFixed(1)} dB`);
    }
  });
}

test('upsampling an 8 kHz FSDD clip to 16 kHz adds no energy above 4 kHz (>= 50 dB down)', async () => {
  const y = await loadAudio(FSDD_CLIP);
  const x = (await decodeAudio(readFileSync(FSDD_CLIP), FSDD_CLIP)).channels[0];
  assert.equal(x.length * 2, y.length);
  const { below, above } = bandEnergies(y, 16000, 4000);
  const ratio = 10 * Math.log10(above / below);
  assert.ok(ratio <= -50, `energy above 4 kHz is ${ratio.toFixed(1)} dB re in-band`);
  // And the speech itself survives: mean power is kept (a band-limited signal's power does not change).
  const powerChange = db(rms(y) / rms(x));
  assert.ok(Math.abs(powerChange) < 0.5, `mean power changed by ${powerChange.toFixed(2)} dB`);
});

test('resample output is time-aligned, continuous across internal chunks, and ceil(n * to / from) long', async () => {
  const n = 44100 * 7; // longer than one internal chunk, so chunk seams fall inside
  const y = await resample(sine(1000, 44100, n), 44100, 16000);
  assert.equal(y.length, Math.ceil((n * 16000) / 44100));
  let worst = 0;
  for (let k = 100; k < y.length - 100; k++) {
    worst = Math.max(worst, Math.abs(y[k] - 0.5 * Math.sin((2 * Math.PI * 1000 * k) / 16000)));
  }
  assert.ok(worst < 1e-4, `max deviation from the ideal 16 kHz sine: ${worst}`);
});

test('resample keeps no filter state between calls, and same-rate input comes back as a copy', async () => {
  await resample(sine(3000, 48000, 4800, 0.9), 48000, 16000);
  const after = await resample(new Float32Array(4800), 48000, 16000);
  assert.equal(after.length, 1600);
  assert.ok(after.every((v) => v === 0));
  const x = sine(440, 16000, 100);
  const same = await resample(x, 16000, 16000);
  assert.deepEqual(same, x);
  assert.notEqual(same, x);
  assert.equal((await resample(new Float32Array(0), 44100, 16000)).length, 0);
});

test('resample rejects bad rates with BAD_ARGUMENT naming the argument', async () => {
  for (const [from, to, subject] of [
    [0, 16000, 'fromRate'],
    [44100, 16000.5, 'toRate'],
    [44100, Number.NaN, 'toRate'],
    [16000, 16000 * 300, 'toRate / fromRate'],
  ] as const) {
    await assert.rejects(resample(new Float32Array(10), from, to), { code: 'BAD_ARGUMENT', subject });
  }
});

test('downmix averages any number of channels; bad input is a BAD_ARGUMENT', () => {
  const chans = [0, 1, 2].map((c) => Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * (c + 1))));
  const m = downmix(chans);
  for (let i = 0; i < 50; i++) {
    assert.ok(Math.abs(m[i] - (Math.sin(i) + Math.sin(2 * i) + Math.sin(3 * i)) / 3) < 1e-6);
  }
  const mono = downmix([chans[0]]);
  assert.deepEqual(mono, chans[0]);
  assert.notEqual(mono, chans[0]);
  assert.throws(() => downmix([]), { code: 'BAD_ARGUMENT', subject: 'channels' });
  assert.throws(() => downmix([chans[0], chans[1].subarray(1)]), {
    code: 'BAD_ARGUMENT',
    subject: 'channels',
  });
});

test('loadAudio: 16-bit mono at its own rate is the int16 samples / 32768', async () => {
  const bytes = readFileSync(FSDD_CLIP);
  const y = await loadAudio(FSDD_CLIP, { sampleRate: 8000 });
  // Independent read: the data chunk of this file starts at byte 44 (a plain 16-byte fmt chunk).
  const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));
  assert.equal(y.length, pcm.length);
  for (let i = 0; i < pcm.length; i++) assert.equal(y[i], pcm[i] / 32768);
});

test('loadAudioBytes mixes stereo to mono and resamples to the requested rate', async () => {
  // A stereo float WAV built here: left a 500 Hz tone, right a 1500 Hz tone.
  const left = sine(500, 32000, 32000, 0.6);
  const right = sine(1500, 32000, 32000, 0.2);
  const y = await loadAudioBytes(stereoFloatWav(left, right, 32000), 'stereo.wav', { sampleRate: 16000 });
  assert.equal(y.length, 16000);
  assert.ok(Math.abs(levelDb(y, 500, 16000, 0.3)) < 0.01);
  assert.ok(Math.abs(levelDb(y, 1500, 16000, 0.1)) < 0.01);
  await assert.rejects(loadAudioBytes(encodeWav(left, 32000), 'x.wav', { sampleRate: -1 }), {
    code: 'BAD_ARGUMENT',
    subject: 'sampleRate',
  });
});

function stereoFloatWav(l: Float32Array, r: Float32Array, rate: number): Uint8Array {
  const bytes = new Uint8Array(44 + l.length * 8);
  const v = new DataView(bytes.buffer);
  const ascii = (at: number, s: string): void =>
    [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, bytes.length - 8, true);
  ascii(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 3, true);
  v.setUint16(22, 2, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 8, true);
  v.setUint16(32, 8, true);
  v.setUint16(34, 32, true);
  ascii(36, 'data');
  v.setUint32(40, l.length * 8, true);
  for (let i = 0; i < l.length; i++) {
    v.setFloat32(44 + i * 8, l[i], true);
    v.setFloat32(48 + i * 8, r[i], true);
  }
  return bytes;
}
