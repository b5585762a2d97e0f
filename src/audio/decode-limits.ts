/**
 * Limits that keep hostile or broken files from driving memory: every allocation made while
 * decoding is bounded by these, never by a size a header claims.
 */
import { MtaError } from '../common/index.js';

/** Largest file read into memory; beyond it a clear error instead of an out-of-memory crash. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;
/** Longest audio decoded (4 hours), whatever the container says. */
export const MAX_DURATION_SEC = 4 * 3600;
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768_000;
export const MAX_CHANNELS = 64;

export function checkFileSize(bytes: number, name: string): void {
  if (bytes === 0) throw new MtaError('EMPTY_FILE', 'file is empty', { subject: name });
  if (bytes > MAX_FILE_BYTES) {
    throw new MtaError('LIMIT_EXCEEDED', 'file is too large to read', {
      subject: name,
      expected: `at most ${MAX_FILE_BYTES} bytes (2 GiB)`,
      actual: `${bytes} bytes`,
      hint: 'split long recordings into shorter files',
    });
  }
}

export function checkSampleRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    throw new MtaError('BAD_HEADER', 'sample rate is out of range', {
      subject: name,
      expected: `an integer from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz`,
      actual: String(rate),
    });
  }
}

export function checkChannelCount(channels: number, name: string): void {
  if (channels === 0) {
    throw new MtaError('BAD_HEADER', 'header declares zero channels', {
      subject: name,
      expected: 'at least 1 channel',
      actual: '0',
    });
  }
  if (channels > MAX_CHANNELS) {
    throw new MtaError('LIMIT_EXCEEDED', 'too many channels', {
      subject: name,
      expected: `at most ${MAX_CHANNELS}`,
      actual: String(channels),
    });
  }
}

/** The most frames accepted at this rate (MAX_DURATION_SEC). */
export function maxFrames(rate: number): number {
  return MAX_DURATION_SEC * rate;
}

export function checkFrameCount(frames: number, rate: number, name: string): void {
  if (frames > maxFrames(rate)) {
    throw new MtaError('LIMIT_EXCEEDED', 'audio is too long', {
      subject: name,
      expected: `at most ${MAX_DURATION_SEC / 3600} hours`,
      actual: `${(frames / rate / 3600).toFixed(2)} hours`,
      hint: 'split long recordings into shorter files',
    });
  }
}
