/**
 * WAV decoding: our validated RIFF walk (wav-riff.ts) locates the samples, and `wavefile` unpacks
 * them. wavefile is fed a minimal canonical header plus one block of frames at a time, so it never
 * parses untrusted chunks (its cue/LIST readers loop on counts taken from the file) and memory stays
 * at the output plus one block.
 */
import wavefile from 'wavefile';
import { MtaError } from '../common/index.js';
import type { DecodedAudio } from './decode-types.js';
import { parseWavLayout, type WavLayout } from './wav-riff.js';

const BLOCK_FRAMES = 1 << 16;
const CANONICAL_HEADER_BYTES = 44;

export function decodeWav(bytes: Uint8Array, name: string): DecodedAudio {
  const layout = parseWavLayout(bytes, name);
  const channels = Array.from({ length: layout.channels }, () => new Float32Array(layout.frames));
  const scale = sampleScale(layout);
  const offset = layout.containerBits === 8 && !layout.float ? 128 : 0; // 8-bit PCM is unsigned
  for (let start = 0; start < layout.frames; start += BLOCK_FRAMES) {
    const frames = Math.min(BLOCK_FRAMES, layout.frames - start);
    const block = unpackBlock(bytes, layout, start, frames);
    for (let f = 0, i = 0; f < frames; f++) {
      for (let c = 0; c < layout.channels; c++, i++) {
        if (!Number.isFinite(block[i])) throw nonFinite(name, start + f, block[i]);
        channels[c][start + f] = (block[i] - offset) * scale;
      }
    }
  }
  return {
    sampleRate: layout.sampleRate,
    channels,
    container: 'wav',
    codec: codecName(layout),
    bitsPerSample: layout.validBits,
  };
}

/** Interleaved raw sample values (integers as stored, or floats) of frames [start, start + frames). */
function unpackBlock(bytes: Uint8Array, layout: WavLayout, start: number, frames: number): Float64Array {
  const dataBytes = frames * layout.blockAlign;
  const wav = new Uint8Array(CANONICAL_HEADER_BYTES + dataBytes);
  const v = new DataView(wav.buffer);
  const put = (at: number, s: string): void =>
    s.split('').forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  put(0, 'RIFF');
  v.setUint32(4, CANONICAL_HEADER_BYTES - 8 + dataBytes, true);
  put(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, layout.float ? 3 : 1, true);
  v.setUint16(22, layout.channels, true);
  v.setUint32(24, layout.sampleRate, true);
  v.setUint32(28, layout.sampleRate * layout.blockAlign, true);
  v.setUint16(32, layout.blockAlign, true);
  v.setUint16(34, layout.containerBits, true);
  put(36, 'data');
  v.setUint32(40, dataBytes, true);
  const from = layout.dataOffset + start * layout.blockAlign;
  wav.set(bytes.subarray(from, from + dataBytes), CANONICAL_HEADER_BYTES);
  return new wavefile.WaveFile(wav).getSamples(true, Float64Array);
}

/** Maps stored values to [-1, 1): integers divide by 2^(bits-1), floats are taken as they are. */
function sampleScale(layout: WavLayout): number {
  return layout.float ? 1 : 1 / 2 ** (layout.containerBits - 1);
}

function codecName(layout: WavLayout): string {
  if (layout.float) return `pcm_f${layout.containerBits}le`;
  return layout.containerBits === 8 ? 'pcm_u8' : `pcm_s${layout.containerBits}le`;
}

function nonFinite(name: string, frame: number, value: number): MtaError {
  return new MtaError('NON_FINITE', 'float WAV contains a non-finite sample', {
    subject: name,
    expected: 'finite sample values',
    actual: `${value} at frame ${frame}`,
  });
}
