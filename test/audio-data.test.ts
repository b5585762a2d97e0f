/**
 * One file of every kind in ../shared/data decodes, and rate, channels and length agree with
 * what the container headers say, read here by independent parsers (WAV chunk walk; Ogg page walk
 * with the Vorbis identification header / OpusHead and the last page's granule position).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudio, type AudioInfo } from '../src/audio/index.js';
import { runCli } from './helpers/cli.js';
import { DATA_DIR } from './helpers/paths.js';

interface HeaderFacts {
  container: string;
  sampleRate: number;
  channels: number;
  frames: number;
}

const FILES: [kind: string, path: string][] = [
  ['WAV 8 kHz (FSDD)', 'fsdd/recordings/0_george_0.wav'],
  ['WAV 16 kHz (Speech Commands)', 'speech-commands-mini/speech_commands_v0.01/bed/62581901_nohash_0.wav'],
  ['WAV 22.05 kHz (KTuberling)', 'ktuberling/sounds/fr/cheveux.wav'],
  ['WAV 44.1 kHz (KTuberling)', 'ktuberling/sounds/ga/beal.wav'],
  ['WAV 8 kHz, 18-byte fmt chunk (Asterisk)', 'asterisk-prompts/sounds/en_US_f_Allison/digits/7.wav'],
  ['Ogg Vorbis mono 44.1 kHz (ESC-10)', 'esc10/001 - Dog bark/1-100032-A.ogg'],
  ['Ogg Vorbis stereo 44.1 kHz (KTuberling)', 'ktuberling/sounds/en/ball.ogg'],
  ['Ogg Vorbis mono 22.05 kHz (KTuberling)', 'ktuberling/sounds/ca/Frier-Tux.ogg'],
  ['Ogg Opus 48 kHz (KTuberling)', 'ktuberling/sounds/nn/ball.opus'],
];

function wavFacts(b: Buffer): HeaderFacts {
  let rate = 0;
  let channels = 0;
  let blockAlign = 0;
  let dataBytes = 0;
  for (let off = 12; off + 8 <= b.length;) {
    const id = b.toString('latin1', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(off + 10);
      rate = b.readUInt32LE(off + 12);
      blockAlign = b.readUInt16LE(off + 20);
    }
    if (id === 'data') dataBytes = size;
    off += 8 + size + (size % 2);
  }
  return { container: 'wav', sampleRate: rate, channels, frames: dataBytes / blockAlign };
}

function oggFacts(b: Buffer): HeaderFacts {
  let lastGranule = 0n;
  let firstPacket: Buffer | undefined;
  for (let off = 0; off < b.length;) {
    assert.equal(b.toString('latin1', off, off + 4), 'OggS');
    const segments = b[off + 26];
    let body = 0;
    for (let i = 0; i < segments; i++) body += b[off + 27 + i];
    firstPacket ??= b.subarray(off + 27 + segments, off + 27 + segments + body);
    lastGranule = b.readBigInt64LE(off + 6);
    off += 27 + segments + body;
  }
  assert.ok(firstPacket);
  if (firstPacket.toString('latin1', 1, 7) === 'vorbis') {
    // Vorbis I §4.2.2: channels at byte 11, rate at 12; granule = PCM frames since stream start.
    return {
      container: 'ogg-vorbis',
      channels: firstPacket[11],
      sampleRate: firstPacket.readUInt32LE(12),
      frames: Number(lastGranule),
    };
  }
  assert.equal(firstPacket.toString('latin1', 0, 8), 'OpusHead');
  // RFC 7845 §5.1 and §4: granule counts 48 kHz frames including the pre-skip at the start.
  const preSkip = firstPacket.readUInt16LE(10);
  return {
    container: 'ogg-opus',
    channels: firstPacket[9],
    sampleRate: 48000,
    frames: Number(lastGranule) - preSkip,
  };
}

function headerFacts(path: string): HeaderFacts {
  const b = readFileSync(path);
  return b.toString('latin1', 0, 4) === 'RIFF' ? wavFacts(b) : oggFacts(b);
}

for (const [kind, rel] of FILES) {
  test(`decodes ${kind}: rate, channels and length match the headers`, async () => {
    const path = join(DATA_DIR, rel);
    const want = headerFacts(path);
    const d = await decodeAudio(readFileSync(path), path);
    assert.equal(d.container, want.container);
    assert.equal(d.sampleRate, want.sampleRate);
    assert.equal(d.channels.length, want.channels);
    for (const ch of d.channels) assert.equal(ch.length, want.frames);
    let energy = 0;
    for (const ch of d.channels) for (const v of ch) energy += v * v;
    const rms = Math.sqrt(energy / (want.frames * want.channels));
    assert.ok(rms > 1e-3 && rms < 0.7, `RMS ${rms} is not that of a recording`);
  });
}

test('mta info --json reports every kind of file in ../shared/data correctly', () => {
  const paths = FILES.map(([, rel]) => join(DATA_DIR, rel));
  const r = runCli(['info', '--json', ...paths]);
  assert.equal(r.code, 0, r.stderr);
  const infos = JSON.parse(r.stdout) as AudioInfo[];
  assert.equal(infos.length, paths.length);
  infos.forEach((info, i) => {
    const want = headerFacts(paths[i]);
    assert.equal(info.path, paths[i]);
    assert.equal(info.container, want.container);
    assert.equal(info.sampleRate, want.sampleRate);
    assert.equal(info.channels, want.channels);
    assert.equal(info.frames, want.frames);
    assert.ok(Math.abs(info.durationSec - want.frames / want.sampleRate) < 1e-9);
    assert.equal(info.bytes, readFileSync(paths[i]).length);
    if (want.container === 'wav') assert.equal(info.bitsPerSample, 16);
  });
  const text = runCli(['info', paths[0]]);
  assert.equal(text.code, 0, text.stderr);
  const { frames } = headerFacts(paths[0]);
  const line = `${paths[0]}: wav (pcm_s16le, 16-bit), 8000 Hz, mono, ${(frames / 8000).toFixed(3)} s (${frames} frames)`;
  assert.ok(text.stdout.startsWith(line), text.stdout);
});
