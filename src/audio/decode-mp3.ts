/**
 * MPEG audio frame headers (ISO 11172-3 §2.4.1.3, ISO 13818-3 for MPEG-2/2.5) and the Xing/Info
 * tag that LAME and most encoders put in the first frame. mpg123 always outputs two channels and
 * silently skips frames it cannot decode; the header tells us the real channel count and the tag
 * the frame count, so a truncated or damaged file is an error rather than a shorter clip.
 */

export interface MpegStreamInfo {
  /** Offset of the first frame header. */
  offset: number;
  layer: 1 | 2 | 3;
  channels: 1 | 2;
  samplesPerFrame: number;
  /** Frame count from a Xing/Info tag, if the file has one. */
  taggedFrames?: number;
}

/** How far past the ID3 tag we look for the first frame (encoders pad with at most a few KB). */
const SYNC_SEARCH_BYTES = 1 << 16;

/** A frame header with no reserved field values (sync, version, layer, bitrate, rate). */
export function isMpegFrameHeader(bytes: Uint8Array, at: number): boolean {
  if (bytes.length < at + 4 || bytes[at] !== 0xff || (bytes[at + 1] & 0xe0) !== 0xe0) return false;
  const version = (bytes[at + 1] >> 3) & 3;
  const layer = (bytes[at + 1] >> 1) & 3;
  const bitrate = bytes[at + 2] >> 4;
  const rate = (bytes[at + 2] >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
}

/** The first frame at or after `from`, or undefined if none is near. */
export function readMpegStreamInfo(bytes: Uint8Array, from: number): MpegStreamInfo | undefined {
  const end = Math.min(bytes.length - 4, from + SYNC_SEARCH_BYTES);
  let at = from;
  while (at <= end && !isMpegFrameHeader(bytes, at)) at++;
  if (at > end) return undefined;
  const mpeg1 = ((bytes[at + 1] >> 3) & 3) === 3;
  const layer = (4 - ((bytes[at + 1] >> 1) & 3)) as 1 | 2 | 3;
  const channels = bytes[at + 3] >> 6 === 3 ? 1 : 2;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && !mpeg1 ? 576 : 1152;
  const info: MpegStreamInfo = { offset: at, layer, channels, samplesPerFrame };
  if (layer !== 3) return info;
  // The tag sits right after the side information, whose size depends on version and channels.
  const sideInfo = mpeg1 ? (channels === 1 ? 17 : 32) : channels === 1 ? 9 : 17;
  const tag = at + 4 + sideInfo;
  if (bytes.length < tag + 12) return info;
  const id = String.fromCharCode(...bytes.subarray(tag, tag + 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if ((id === 'Xing' || id === 'Info') && view.getUint32(tag + 4) & 1)
    info.taggedFrames = view.getUint32(tag + 8);
  return info;
}
