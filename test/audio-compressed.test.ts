/**
 * FLAC and MP3 (no such files in ../shared/data): tiny tone fixtures made by
 * test/fixtures/audio/make-fixtures.sh. Decoded tones are checked against the generator
 * parameters written there, with the float64 DFT of audio-reference.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeAudio, loadAudio, readAudioInfo, releaseAudioDecoders } from '../src/audio/index.js';
import { db, toneAmplitude } from './audio-reference.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/audio/', import.meta.url));
const FLAC = `${FIXTURES}tone-stereo.flac`;
const MP3 = `${FIXTURES}tone-mono.mp3`;

// Generator parameters (make-fixtures.sh): 44100 Hz, 0.3 s.
const RATE = 44100;
const FRAMES = Math.round(0.3 * RATE);

/** The analysis window: the middle of the clip, away from the abrupt tone start and end. */
const MID: [number, number] = [Math.round(0.05 * RATE), Math.round(0.25 * RATE)];

test('FLAC fixture: 44.1 kHz stereo 16-bit; left 1 kHz at 0.5, right 2.5 kHz at 0.25, lossless', async () => {
  const d = await decodeAudio(readFileSync(FLAC), FLAC);
  assert.equal(d.container, 'flac');
  assert.equal(d.codec, 'flac');
  assert.equal(d.sampleRate, RATE);
  assert.equal(d.bitsPerSample, 16);
  assert.equal(d.channels.length, 2);
  for (const ch of d.channels) assert.equal(ch.length, FRAMES);
  const [left, right] = d.channels;
  // 16-bit rounding of a sine is the only error in a lossless file: well under 0.01 dB.
  assert.ok(Math.abs(db(toneAmplitude(left, 1000, RATE, ...MID) / 0.5)) < 0.01);
  assert.ok(Math.abs(db(toneAmplitude(right, 2500, RATE, ...MID) / 0.25)) < 0.01);
  // Each channel holds only its own tone.
  assert.ok(db(toneAmplitude(left, 2500, RATE, ...MID) / 0.5) < -80);
  assert.ok(db(toneAmplitude(right, 1000, RATE, ...MID) / 0.25) < -80);
});

test('MP3 fixture: 44.1 kHz mono (mpg123 output reduced to the real channel count), gapless length, 1 kHz at 0.5', async () => {
  const d = await decodeAudio(readFileSync(MP3), MP3);
  assert.equal(d.container, 'mp3');
  assert.equal(d.codec, 'mp3');
  assert.equal(d.sampleRate, RATE);
  assert.equal(d.channels.length, 1);
  assert.equal(d.channels[0].length, FRAMES);
  const x = d.channels[0];
  const level = db(toneAmplitude(x, 1000, RATE, ...MID) / 0.5);
  assert.ok(Math.abs(level) < 0.5, `1 kHz level ${level.toFixed(2)} dB`);
  // The strongest component on a 50 Hz grid up to 10 kHz is the 1 kHz tone.
  let best = 0;
  let bestAmp = 0;
  for (let f = 50; f <= 10000; f += 50) {
    const a = toneAmplitude(x, f, RATE, ...MID);
    if (a > bestAmp) [best, bestAmp] = [f, a];
  }
  assert.equal(best, 1000);
  assert.ok(db(toneAmplitude(x, 3000, RATE, ...MID) / 0.5) < -40);
});

test('compressed files go through info and load; decoders are reusable after release', async () => {
  const info = await readAudioInfo(FLAC);
  assert.deepEqual(
    { container: info.container, rate: info.sampleRate, channels: info.channels, frames: info.frames },
    { container: 'flac', rate: RATE, channels: 2, frames: FRAMES },
  );
  const before = await loadAudio(MP3);
  assert.equal(before.length, Math.ceil((FRAMES * 16000) / RATE));
  await releaseAudioDecoders();
  // Concurrent decodes of one codec share one decoder in turn and must not mix their streams.
  const [a, b] = await Promise.all([loadAudio(MP3), loadAudio(MP3)]);
  assert.deepEqual(a, before);
  assert.deepEqual(b, before);
});
