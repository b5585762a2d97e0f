/**
 * FLAC STREAMINFO (FLAC format spec, METADATA_BLOCK_STREAMINFO): read before decoding to validate
 * rate and channels, and after decoding to catch a truncated stream (fewer samples than declared).
 */
import { MtaError } from '../common/index.js';
import { checkChannelCount, checkSampleRate } from './decode-limits.js';

export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Inter-channel samples declared by the encoder; 0 means unknown. */
  totalFrames: number;
}

const STREAMINFO_BYTES = 34;

/** `start` is the offset of the `fLaC` marker (after any ID3v2 tag). */
export function readFlacStreamInfo(bytes: Uint8Array, start: number, name: string): FlacStreamInfo {
  const block = start + 8; // "fLaC" + 4-byte metadata block header
  if (bytes.length < block + STREAMINFO_BYTES) {
    throw new MtaError('TRUNCATED', 'FLAC header is cut off', {
      subject: name,
      expected: `at least ${block + STREAMINFO_BYTES} bytes`,
      actual: `${bytes.length} bytes`,
    });
  }
  const type = bytes[start + 4] & 0x7f;
  const length = (bytes[start + 5] << 16) | (bytes[start + 6] << 8) | bytes[start + 7];
  if (type !== 0 || length !== STREAMINFO_BYTES) {
    throw new MtaError('BAD_HEADER', 'FLAC stream does not start with a STREAMINFO block', {
      subject: name,
      expected: `block type 0 of ${STREAMINFO_BYTES} bytes`,
      actual: `type ${type} of ${length} bytes`,
    });
  }
  const b = (i: number): number => bytes[block + i];
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channels = ((b(12) >> 1) & 0x07) + 1;
  const bitsPerSample = (((b(12) & 0x01) << 4) | (b(13) >> 4)) + 1;
  const totalFrames =
    (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + ((b(15) << 16) | (b(16) << 8) | b(17));
  checkChannelCount(channels, name);
  checkSampleRate(sampleRate, name);
  return { sampleRate, channels, bitsPerSample, totalFrames };
}
