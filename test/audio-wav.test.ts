/**
 * WAV decoding for every sample format, built byte by byte here, with expected floats computed
 * from the stored integers by the test's own formula; and encodeWav / writeWav round trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio, encodeWav, writeWav } from '../src/audio/index.js';
import { Rng } from '../src/common/index.js';
import { buildWav, concat, type WavSpec } from './audio-reference.js';

/** Interleaved test integers that include both extremes and zero. */
function ints(n: number, min: number, max: number, seed: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, (_, i) =>
    i === 0 ? min : i === 1 ? max : i === 2 ? 0 : min + r.int(max - min + 1),
  );
}

function pack(
  values: number[],
  bytesPer: number,
  write: (v: DataView, at: number, x: number) => void,
): Uint8Array {
  const out = new Uint8Array(values.length * bytesPer);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => write(v, i * bytesPer, x));
  return out;
}

const int24 = (v: DataView, at: number, x: number): void => {
  const u = x < 0 ? x + 2 ** 24 : x;
  v.setUint8(at, u & 0xff);
  v.setUint8(at + 1, (u >> 8) & 0xff);
  v.setUint8(at + 2, (u >> 16) & 0xff);
};

/** Checks channels[c][f] === expected[f * channels + c] (exact: every format maps exactly to float32). */
function assertDecoded(channels: Float32Array[], expected: number[], nch: number): void {
  assert.equal(channels.length, nch);
  for (let i = 0; i < expected.length; i++) {
    const got = channels[i % nch][Math.floor(i / nch)];
    assert.equal(got, Math.fround(expected[i]), `sample ${i}`);
  }
  for (const ch of channels) assert.equal(ch.length, expected.length / nch);
}

const CASES: {
  name: string;
  codec: string;
  bits: number;
  nch: number;
  make: () => { spec: Omit<WavSpec, 'channels' | 'rate'>; expected: number[] };
}[] = [
  {
    name: 'PCM 8-bit unsigned, stereo',
    codec: 'pcm_u8',
    bits: 8,
    nch: 2,
    make: () => {
      const x = ints(64, 0, 255, 1);
      return { spec: { tag: 1, bits: 8, data: Uint8Array.from(x) }, expected: x.map((u) => (u - 128) / 128) };
    },
  },
  {
    name: 'PCM 16-bit, stereo',
    codec: 'pcm_s16le',
    bits: 16,
    nch: 2,
    make: () => {
      const x = ints(64, -32768, 32767, 2);
      return {
        spec: { tag: 1, bits: 16, data: pack(x, 2, (v, a, s) => v.setInt16(a, s, true)) },
        expected: x.map((s) => s / 32768),
      };
    },
  },
  {
    name: 'PCM 24-bit, mono',
    codec: 'pcm_s24le',
    bits: 24,
    nch: 1,
    make: () => {
      const x = ints(63, -(2 ** 23), 2 ** 23 - 1, 3);
      return { spec: { tag: 1, bits: 24, data: pack(x, 3, int24) }, expected: x.map((s) => s / 2 ** 23) };
    },
  },
  {
    name: 'PCM 32-bit, 3 channels',
    codec: 'pcm_s32le',
    bits: 32,
    nch: 3,
    make: () => {
      const x = ints(63, -(2 ** 31), 2 ** 31 - 1, 4);
      return {
        spec: { tag: 1, bits: 32, data: pack(x, 4, (v, a, s) => v.setInt32(a, s, true)) },
        expected: x.map((s) => s / 2 ** 31),
      };
    },
  },
  {
    name: 'IEEE float 32-bit, mono (values beyond ±1 kept)',
    codec: 'pcm_f32le',
    bits: 32,
    nch: 1,
    make: () => {
      const x = ints(40, -3000, 3000, 5).map((i) => Math.fround(i / 1000));
      return {
        spec: { tag: 3, bits: 32, data: pack(x, 4, (v, a, s) => v.setFloat32(a, s, true)) },
        expected: x,
      };
    },
  },
  {
    name: 'IEEE float 64-bit, stereo',
    codec: 'pcm_f64le',
    bits: 64,
    nch: 2,
    make: () => {
      const x = ints(40, -1000, 1000, 6).map((i) => i / 1024);
      return {
        spec: { tag: 3, bits: 64, data: pack(x, 8, (v, a, s) => v.setFloat64(a, s, true)) },
        expected: x,
      };
    },
  },
  {
    name: 'WAVE_FORMAT_EXTENSIBLE PCM 16-bit, 6 channels (5.1)',
    codec: 'pcm_s16le',
    bits: 16,
    nch: 6,
    make: () => {
      const x = ints(60, -32768, 32767, 7);
      return {
        spec: { tag: 0xfffe, subTag: 1, bits: 16, data: pack(x, 2, (v, a, s) => v.setInt16(a, s, true)) },
        expected: x.map((s) => s / 32768),
      };
    },
  },
  {
    name: 'WAVE_FORMAT_EXTENSIBLE 24 valid bits in 32-bit slots, stereo',
    codec: 'pcm_s32le',
    bits: 24,
    nch: 2,
    make: () => {
      // 24-bit samples left-justified in 32-bit containers, as the format requires.
      const x = ints(40, -(2 ** 23), 2 ** 23 - 1, 8);
      return {
        spec: {
          tag: 0xfffe,
          subTag: 1,
          validBits: 24,
          bits: 32,
          data: pack(x, 4, (v, a, s) => v.setInt32(a, s * 256, true)),
        },
        expected: x.map((s) => s / 2 ** 23),
      };
    },
  },
  {
    name: 'WAVE_FORMAT_EXTENSIBLE float 32-bit, stereo',
    codec: 'pcm_f32le',
    bits: 32,
    nch: 2,
    make: () => {
      const x = ints(40, -1000, 1000, 9).map((i) => Math.fround(i / 999));
      return {
        spec: { tag: 0xfffe, subTag: 3, bits: 32, data: pack(x, 4, (v, a, s) => v.setFloat32(a, s, true)) },
        expected: x,
      };
    },
  },
];

for (const c of CASES) {
  test(`decodes WAV ${c.name}`, async () => {
    const { spec, expected } = c.make();
    const d = await decodeAudio(buildWav({ ...spec, channels: c.nch, rate: 22050 }), 'case.wav');
    assert.equal(d.container, 'wav');
    assert.equal(d.codec, c.codec);
    assert.equal(d.sampleRate, 22050);
    assert.equal(d.bitsPerSample, c.bits);
    assertDecoded(d.channels, expected, c.nch);
  });
}

test('WAV: unused chunks are skipped, even hostile ones; odd chunks are padded; a partial last frame is dropped', async () => {
  const x = ints(20, -32768, 32767, 10);
  const data = concat([pack(x, 2, (v, a, s) => v.setInt16(a, s, true)), new Uint8Array([0x7f])]); // + half a frame
  // A 'cue ' chunk claiming 2^32 - 1 cue points (libraries that trust the count loop for ever),
  // and an odd-sized LIST chunk, whose pad byte must be skipped.
  const cue = new Uint8Array(8);
  new DataView(cue.buffer).setUint32(0, 0xffffffff, true);
  const wav = buildWav({
    tag: 1,
    channels: 1,
    rate: 8000,
    bits: 16,
    data,
    extra: [
      ['cue ', cue],
      ['LIST', new Uint8Array(7)],
    ],
  });
  const d = await decodeAudio(wav, 'chunks.wav');
  assertDecoded(
    d.channels,
    x.map((s) => s / 32768),
    1,
  );
});

test('encodeWav writes 16-bit PCM by default: header fields and x·32768 rounded and clipped', async () => {
  const x = Float32Array.from([0, 0.5, -0.5, 1, -1, 1.7, -2, 1e-5, 0.123456]);
  const bytes = encodeWav(x, 16000);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'RIFF');
  assert.equal(v.getUint32(4, true), bytes.length - 8);
  assert.equal(v.getUint16(20, true), 1); // PCM
  assert.equal(v.getUint16(22, true), 1); // mono
  assert.equal(v.getUint32(24, true), 16000);
  assert.equal(v.getUint16(34, true), 16);
  assert.equal(v.getUint32(40, true), x.length * 2);
  const want = Array.from(x, (s) => Math.max(-32768, Math.min(32767, Math.round(s * 32768))));
  assert.deepEqual(
    Array.from({ length: x.length }, (_, i) => v.getInt16(44 + 2 * i, true)),
    want,
  );
  const back = (await decodeAudio(bytes, 'enc.wav')).channels[0];
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) < 1) assert.ok(Math.abs(back[i] - x[i]) <= 0.5 / 32768 + 1e-12, `sample ${i}`);
  }
});

test('encodeWav float option round-trips exactly; writeWav writes atomically; non-finite input is refused', async () => {
  const x = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i / 7) * 1.5);
  const d = await decodeAudio(encodeWav(x, 44100, { float: true }), 'f.wav');
  assert.equal(d.codec, 'pcm_f32le');
  assert.deepEqual(d.channels[0], x);
  const dir = mkdtempSync(join(tmpdir(), 'mta-wav-'));
  const path = join(dir, 'out.wav');
  writeWav(path, x, 44100);
  assert.deepEqual(readdirSync(dir), ['out.wav']);
  assert.equal((await decodeAudio(readFileSync(path), path)).channels[0].length, 300);
  rmSync(dir, { recursive: true, force: true });
  assert.throws(() => encodeWav(Float32Array.from([0, Number.NaN]), 16000), {
    code: 'NON_FINITE',
    subject: 'samples',
  });
  assert.throws(() => encodeWav(x, 0), { code: 'BAD_ARGUMENT', subject: 'sampleRate' });
});
