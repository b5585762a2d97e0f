/**
 * File-level entry points: read a file (with size limits and clear errors), decode it, mix to mono
 * and resample to the model rate (16 kHz by default).
 */
import { MtaError } from '../common/index.js';
import { checkFileSize } from './decode-limits.js';
import type { AudioInfo } from './decode-types.js';
import { decodeAudio } from './decode.js';
import { downmix } from './downmix.js';
import { resample } from './resample.js';

export const DEFAULT_SAMPLE_RATE = 16_000;

export interface LoadAudioOptions {
  /** Output rate in Hz (default 16000). */
  sampleRate?: number;
}

/** Reads a whole audio file, refusing missing, unreadable, empty and oversized files. */
export async function readAudioFile(path: string): Promise<Uint8Array> {
  // Imported here, not at the top, so the browser bundle (which never reads files) has no node:fs.
  const { readFile, stat } = await import('node:fs/promises');
  try {
    const st = await stat(path);
    if (st.isDirectory())
      throw new MtaError('FILE_UNREADABLE', 'is a directory, not an audio file', { subject: path });
    checkFileSize(st.size, path);
    const bytes = await readFile(path);
    checkFileSize(bytes.length, path); // the file may have changed since stat
    return bytes;
  } catch (e) {
    if (e instanceof MtaError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MtaError('FILE_NOT_FOUND', 'no such file', { subject: path, cause: e });
    throw new MtaError('FILE_UNREADABLE', `cannot read file (${code ?? String(e)})`, {
      subject: path,
      cause: e,
    });
  }
}

/** Decode + downmix + resample: mono float samples at opts.sampleRate (default 16 kHz). */
export async function loadAudioBytes(
  bytes: Uint8Array,
  name: string,
  opts: LoadAudioOptions = {},
): Promise<Float32Array> {
  const rate = opts.sampleRate ?? DEFAULT_SAMPLE_RATE;
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new MtaError('BAD_ARGUMENT', 'output sample rate must be a positive integer', {
      subject: 'sampleRate',
      actual: String(rate),
    });
  }
  const decoded = await decodeAudio(bytes, name);
  return resample(downmix(decoded.channels), decoded.sampleRate, rate);
}

export async function loadAudio(path: string, opts: LoadAudioOptions = {}): Promise<Float32Array> {
  return loadAudioBytes(await readAudioFile(path), path, opts);
}

/** Container, codec, rate, channels and length of a file. Decodes it fully, so bad audio errors here too. */
export async function readAudioInfo(path: string): Promise<AudioInfo> {
  const bytes = await readAudioFile(path);
  const d = await decodeAudio(bytes, path);
  const frames = d.channels[0].length;
  return {
    path,
    bytes: bytes.length,
    container: d.container,
    codec: d.codec,
    sampleRate: d.sampleRate,
    channels: d.channels.length,
    frames,
    durationSec: frames / d.sampleRate,
    ...(d.bitsPerSample === undefined ? {} : { bitsPerSample: d.bitsPerSample }),
  };
}
