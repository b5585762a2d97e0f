/**
 * Ogg page walk (RFC 3533 §6: 27-byte page header, segment table, body). It tells a cut-off file
 * from a complete one (the wasm decoders silently drop a partial last page, which would give a
 * shorter clip with no error), and yields the last granule position, which fixes the length of an
 * Opus stream.
 */
import { MtaError } from '../common/index.js';

const CAPTURE = [0x4f, 0x67, 0x67, 0x53]; // "OggS"
const PAGE_HEADER_BYTES = 27;

export interface OggScan {
  /** Granule position of the last complete page. */
  lastGranule: bigint;
  /** True when every page belongs to one logical stream (no chaining or multiplexing). */
  singleStream: boolean;
}

/** Walks the pages from the start; throws TRUNCATED if the sequence ends in a cut-off page. */
export function scanOggPages(bytes: Uint8Array, name: string): OggScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scan: OggScan = { lastGranule: -1n, singleStream: true };
  const firstSerial = bytes.length >= PAGE_HEADER_BYTES ? view.getUint32(14, true) : 0;
  let off = 0;
  while (off < bytes.length) {
    const left = bytes.length - off;
    const captured = CAPTURE.every((c, i) => i >= left || bytes[off + i] === c);
    // Bytes after the last page that are not a page (e.g. an appended tag) are not ours to judge.
    if (!captured) break;
    if (left < PAGE_HEADER_BYTES) throw cutPage(name, off, left);
    const segments = bytes[off + 26];
    if (left < PAGE_HEADER_BYTES + segments) throw cutPage(name, off, left);
    let body = 0;
    for (let i = 0; i < segments; i++) body += bytes[off + PAGE_HEADER_BYTES + i];
    const pageBytes = PAGE_HEADER_BYTES + segments + body;
    if (pageBytes > left) throw cutPage(name, off, left, pageBytes);
    scan.lastGranule = view.getBigInt64(off + 6, true);
    if (view.getUint32(off + 14, true) !== firstSerial) scan.singleStream = false;
    off += pageBytes;
  }
  return scan;
}

/**
 * Playable length of a single-stream Ogg Opus file in 48 kHz frames: last granule minus the
 * OpusHead pre-skip (RFC 7845 §4.4). ogg-opus-decoder drops the pre-skip at the start but trims
 * the end to the granule alone, so its output runs pre-skip frames too long.
 */
export function opusPlayableFrames(bytes: Uint8Array, scan: OggScan): number | undefined {
  if (!scan.singleStream || scan.lastGranule < 0n) return undefined;
  const head = PAGE_HEADER_BYTES + bytes[26]; // OpusHead is the first packet of the first page
  const preSkip = bytes[head + 10] | (bytes[head + 11] << 8);
  const frames = Number(scan.lastGranule) - preSkip;
  return frames >= 0 ? frames : undefined;
}

function cutPage(name: string, offset: number, left: number, pageBytes?: number): MtaError {
  return new MtaError('TRUNCATED', `Ogg page at byte ${offset} runs past the end of the file`, {
    subject: name,
    expected: pageBytes === undefined ? 'a complete page header' : `${pageBytes} bytes`,
    actual: `${left} bytes left`,
    hint: 'the file is truncated or corrupt',
  });
}
