/**
 * Bad input: each case gives an MtaError with the right code naming the file, through the library
 * and through `mta info` (exit 2, one line per file, no stack trace). Nothing may hang or allocate
 * what a header claims.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_FILE_BYTES, decodeAudio, readAudioInfo } from '../src/audio/index.js';
import { Rng, type ErrorCode } from '../src/common/index.js';
import { runCli } from './helpers/cli.js';
import { DATA_DIR } from './helpers/paths.js';
import { buildWav } from './audio-reference.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/audio/', import.meta.url));
const flac = readFileSync(join(FIXTURES, 'tone-stereo.flac'));
const mp3 = readFileSync(join(FIXTURES, 'tone-mono.mp3'));
const opus = readFileSync(join(DATA_DIR, 'ktuberling/sounds/nn/ball.opus'));
const vorbisDir = join(DATA_DIR, 'esc10/002 - Rain');
const vorbis = readFileSync(join(vorbisDir, readdirSync(vorbisDir).sort()[0]));

const pcm16 = (frames: number): Uint8Array => new Uint8Array(frames * 2).map((_, i) => (i * 37) & 0xff);
const goodWav = buildWav({ tag: 1, channels: 1, rate: 16000, bits: 16, data: pcm16(800) });

function withU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, value, true);
  return out;
}

function floatWav(values: number[], bits: 32 | 64): Uint8Array {
  const data = new Uint8Array(values.length * (bits / 8));
  const v = new DataView(data.buffer);
  values.forEach((x, i) => (bits === 32 ? v.setFloat32(i * 4, x, true) : v.setFloat64(i * 8, x, true)));
  return buildWav({ tag: 3, channels: 1, rate: 16000, bits, data });
}

/** Flips bytes of the audio packets (not the headers) of a compressed file. */
function damage(bytes: Uint8Array, from: number, every: number): Uint8Array {
  return bytes.map((b, i) => (i >= from && i % every === 0 ? b ^ 0x5a : b));
}

// goodWav layout: RIFF header 12, fmt chunk 24, data header at 36, samples from 44.
const CASES: { name: string; file: string; bytes: Uint8Array; code: ErrorCode }[] = [
  { name: 'empty file', file: 'empty.wav', bytes: new Uint8Array(0), code: 'EMPTY_FILE' },
  { name: 'truncated RIFF header', file: 'cut6.wav', bytes: goodWav.subarray(0, 6), code: 'TRUNCATED' },
  {
    name: 'header cut inside fmt',
    file: 'cut30.wav',
    bytes: withU32(goodWav.subarray(0, 30), 4, 22),
    code: 'TRUNCATED',
  },
  { name: 'Ogg header cut off', file: 'cut.opus', bytes: opus.subarray(0, 20), code: 'TRUNCATED' },
  { name: 'FLAC header cut off', file: 'cut.flac', bytes: flac.subarray(0, 30), code: 'TRUNCATED' },
  {
    name: 'data chunk claims more bytes than the file holds',
    file: 'data-overrun.wav',
    bytes: withU32(withU32(goodWav, 40, 5000), 4, goodWav.length - 8),
    code: 'TRUNCATED',
  },
  {
    name: 'RIFF size claims 4 GB',
    file: 'riff-4g.wav',
    bytes: withU32(goodWav, 4, 0xfffffff0),
    code: 'TRUNCATED',
  },
  {
    name: 'data size claims 4 GB',
    file: 'data-4g.wav',
    bytes: withU32(goodWav, 40, 0xffffff00),
    code: 'TRUNCATED',
  },
  {
    name: 'FLAC STREAMINFO claims 2^36 - 1 samples',
    file: 'huge.flac',
    // total samples: low 4 bits of STREAMINFO byte 13, then bytes 14-17 (block starts at byte 8).
    bytes: flac.map((b, i) => (i === 21 ? b | 0x0f : i >= 22 && i <= 25 ? 0xff : b)),
    code: 'TRUNCATED',
  },
  {
    name: 'Opus file cut in the middle',
    file: 'half.opus',
    bytes: opus.subarray(0, opus.length >> 1),
    code: 'TRUNCATED',
  },
  {
    name: 'FLAC file cut in the middle',
    file: 'half.flac',
    bytes: flac.subarray(0, flac.length >> 1),
    code: 'TRUNCATED',
  },
  {
    name: 'MP3 file cut in the middle',
    file: 'half.mp3',
    bytes: mp3.subarray(0, mp3.length >> 1),
    code: 'TRUNCATED',
  },
  { name: 'damaged MP3 frames', file: 'damaged.mp3', bytes: damage(mp3, 600, 7), code: 'TRUNCATED' },
  { name: 'damaged Vorbis packets', file: 'damaged.ogg', bytes: damage(vorbis, 4000, 9), code: 'BAD_AUDIO' },
  {
    name: 'unsupported WAV codec 0x55 (MP3 in WAV)',
    file: 'mp3-in.wav',
    bytes: buildWav({ tag: 0x55, channels: 1, rate: 16000, bits: 16, data: pcm16(100) }),
    code: 'UNSUPPORTED_FORMAT',
  },
  {
    name: 'unsupported 12-bit PCM',
    file: 'pcm12.wav',
    bytes: buildWav({ tag: 1, channels: 2, rate: 16000, bits: 12, data: pcm16(100) }),
    code: 'UNSUPPORTED_FORMAT',
  },
  {
    name: 'random non-audio bytes',
    file: 'noise.wav',
    bytes: Uint8Array.from(
      { length: 4096 },
      (() => {
        const r = new Rng(3);
        return () => r.int(256);
      })(),
    ),
    code: 'UNSUPPORTED_FORMAT',
  },
  {
    name: 'a text file',
    file: 'notes.mp3',
    bytes: new TextEncoder().encode('hello, not audio\n'),
    code: 'UNSUPPORTED_FORMAT',
  },
  {
    name: 'zero channels',
    file: 'zero-channels.wav',
    bytes: buildWav({ tag: 1, channels: 0, rate: 16000, bits: 16, data: pcm16(100) }),
    code: 'BAD_HEADER',
  },
  {
    name: 'sample rate 0',
    file: 'rate0.wav',
    bytes: buildWav({ tag: 1, channels: 1, rate: 0, bits: 16, data: pcm16(100) }),
    code: 'BAD_HEADER',
  },
  {
    name: 'NaN in a float32 WAV',
    file: 'nan.wav',
    bytes: floatWav([0, 0.5, Number.NaN, 0.1], 32),
    code: 'NON_FINITE',
  },
  { name: '+Inf in a float32 WAV', file: 'inf.wav', bytes: floatWav([0, Infinity], 32), code: 'NON_FINITE' },
  {
    name: '-Inf in a float64 WAV',
    file: 'inf64.wav',
    bytes: floatWav([0.25, -Infinity, 0], 64),
    code: 'NON_FINITE',
  },
];

const dir = mkdtempSync(join(tmpdir(), 'mta-bad-audio-'));
after(() => rmSync(dir, { recursive: true, force: true }));
for (const c of CASES) writeFileSync(join(dir, c.file), c.bytes);
writeFileSync(join(dir, 'good.wav'), goodWav);

for (const c of CASES) {
  test(`bad input: ${c.name} -> ${c.code} naming the file`, async () => {
    const path = join(dir, c.file);
    await assert.rejects(readAudioInfo(path), (e: Error & { code?: string; subject?: string }) => {
      assert.equal(e.name, 'MtaError', e.stack);
      assert.equal(e.code, c.code, e.message);
      assert.equal(e.subject, path);
      return true;
    });
    await assert.rejects(decodeAudio(c.bytes, 'label'), { code: c.code, subject: 'label' });
  });
}

test('bad input: missing file, a directory, and a file over the size cap (sparse, never read)', async () => {
  const missing = join(dir, 'no-such-file.wav');
  await assert.rejects(readAudioInfo(missing), { code: 'FILE_NOT_FOUND', subject: missing });
  const folder = join(dir, 'a-folder.wav');
  mkdirSync(folder);
  await assert.rejects(readAudioInfo(folder), { code: 'FILE_UNREADABLE', subject: folder });
  const huge = join(dir, 'huge.wav');
  writeFileSync(huge, goodWav);
  truncateSync(huge, MAX_FILE_BYTES + 1);
  await assert.rejects(readAudioInfo(huge), { code: 'LIMIT_EXCEEDED', subject: huge });
});

test('mta info: every bad file is reported with its code and name, exit 2, no stack trace', () => {
  const paths = [...CASES.map((c) => join(dir, c.file)), join(dir, 'no-such-file.wav')];
  const r = runCli(['info', join(dir, 'good.wav'), ...paths], { timeoutMs: 60_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.doesNotMatch(r.stderr, /internal error/);
  for (const c of CASES)
    assert.ok(r.stderr.includes(`[${c.code}] ${join(dir, c.file)}: `), `${c.name}:\n${r.stderr}`);
  assert.ok(r.stderr.includes(`[FILE_NOT_FOUND] ${join(dir, 'no-such-file.wav')}: no such file`));
  assert.ok(
    r.stderr.endsWith(
      `[BAD_AUDIO] mta info: ${paths.length} of ${paths.length + 1} files could not be read\n`,
    ),
  );
  assert.match(r.stdout, /good\.wav: wav \(pcm_s16le, 16-bit\), 16000 Hz, mono, 0\.050 s \(800 frames\)/);
});

test('mta info on one bad file prints exactly one error line and exits 2', () => {
  const path = join(dir, 'data-overrun.wav');
  const r = runCli(['info', path]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `mta: error [TRUNCATED] ${path}: 'data' chunk claims more bytes than the file holds ` +
      `(expected 5000 bytes from offset 44, got 1600 bytes left). the file is truncated or its header is corrupt\n`,
  );
});
