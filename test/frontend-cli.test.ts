import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { DATA_DIR } from './helpers/paths.js';
import { maxAbsDiff, readPcm16Wav, refLogMel } from './helpers/frontend-reference.js';

const BIRD = join(DATA_DIR, 'speech-commands-mini/speech_commands_v0.01/bird');
const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /);

interface LogmelJson {
  sampleRate: number;
  samples: number;
  frames: number;
  bands: number;
  patches: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  logmel: number[][];
}

test('mta logmel --json prints the full matrix of a 16 kHz clip, matching the float64 reference', () => {
  const file = join(BIRD, readdirSync(BIRD).sort()[0]);
  const r = runCli(['logmel', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as LogmelJson;
  const { samples } = readPcm16Wav(file);
  const frames = Math.floor((samples.length - 400) / 160) + 1;
  assert.deepEqual([out.sampleRate, out.samples, out.frames, out.bands], [16000, samples.length, frames, 64]);
  assert.deepEqual([out.logmel.length, out.logmel[0].length], [frames, 64]);
  assert.ok(maxAbsDiff(out.logmel.flat(), refLogMel(samples)) <= 1e-4);
  // 98 frames: one patch at 0, one ending at the last frame.
  assert.equal(out.patches, frames > 96 ? 2 : 1);
  const all = out.logmel.flat();
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
  assert.equal(out.min, Math.min(...all));
  assert.equal(out.max, Math.max(...all));
  assert.ok(Math.abs(out.mean - mean) < 1e-9 && Math.abs(out.std - std) < 1e-9);
});

test('mta logmel on an 8 kHz FSDD clip resamples to 16 kHz and prints shape, patches and statistics', () => {
  const file = join(DATA_DIR, 'fsdd/recordings/0_george_0.wav');
  const { sampleRate, samples } = readPcm16Wav(file);
  assert.equal(sampleRate, 8000);
  const frames = Math.floor((2 * samples.length - 400) / 160) + 1;
  const r = runCli(['logmel', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${2 * samples.length} samples at 16000 Hz`));
  assert.match(r.stdout, new RegExp(`log-mel: ${frames} frames × 64 bands`));
  assert.match(r.stdout, /patches: 1 × 96 frames × 64 bands \(hop 48 frames\)/);
  assert.match(
    r.stdout,
    /values: min -?\d+\.\d{4} {2}max -?\d+\.\d{4} {2}mean -?\d+\.\d{4} {2}std \d+\.\d{4}/,
  );
});

test('mta logmel --frontend (inline or file) changes the front end; bad values exit 2 naming the field', () => {
  const file = join(DATA_DIR, 'speech-commands-mini/speech_commands_v0.01/yes/439c84f4_nohash_1.wav');
  const dir = mkdtempSync(join(tmpdir(), 'mta-logmel-'));
  const cfgFile = join(dir, 'frontend.json');
  writeFileSync(cfgFile, JSON.stringify({ melBands: 40, patchFrames: 50, patchHopFrames: 25 }));
  const r = runCli(['logmel', file, '--json', '--frontend', cfgFile]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as LogmelJson;
  // 98 frames of 40 bands; patches start at 0 and 25, then one ends at the last frame (start 48).
  assert.deepEqual([out.frames, out.bands, out.patches], [98, 40, 3]);

  const bad = runCli(['logmel', file, '--frontend', '{"windowSamples": 1024}']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\[BAD_CONFIG\] --frontend\.windowSamples/);
  noStack(bad.stderr);
});

test('mta logmel: a missing file exits 2 with FILE_NOT_FOUND naming it; --help documents the options', () => {
  const r = runCli(['logmel', 'no/such/clip.wav']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\[FILE_NOT_FOUND\] no\/such\/clip\.wav/);
  noStack(r.stderr);
  const help = runCli(['logmel', '--help']);
  assert.equal(help.code, 0);
  for (const s of ['Usage: mta logmel', '--json', '--frontend', 'patchHopFrames 48', 'Examples:']) {
    assert.ok(help.stdout.includes(s), s);
  }
});
