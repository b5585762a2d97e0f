/**
 * Format detection from a file's leading bytes (never its extension). Magic numbers: RIFF/WAVE
 * (Microsoft RIFF spec), `OggS` + first packet `\x01vorbis` / `OpusHead` (RFC 3533, Vorbis I spec
 * §4.2, RFC 7845 §5.1), `fLaC` (FLAC format §"STREAM"), MPEG audio frame sync and ID3v2 tags.
 */
import { MtaError } from '../common/index.js';
import { isMpegFrameHeader } from './decode-mp3.js';
import type { AudioContainer } from './decode-types.js';
import { isRiffWave } from './wav-riff.js';

const SUPPORTED = 'WAV, Ogg Vorbis, Ogg Opus, FLAC or MP3';

/** Other formats people feed us, named so the error says what the file is. */
const OTHER_MAGIC: [offset: number, magic: string, what: string][] = [
  [0, 'RIFX', 'big-endian RIFX WAV'],
  [0, 'RF64', 'RF64 (64-bit WAV)'],
  [0, 'FORM', 'AIFF'],
  [4, 'ftyp', 'MP4/M4A'],
  [0, '\x1a\x45\xdf\xa3', 'Matroska/WebM'],
  [0, 'caff', 'Core Audio (CAF)'],
  [0, '.snd', 'Sun/NeXT AU'],
];

export function sniffContainer(bytes: Uint8Array, name: string): AudioContainer {
  if (bytes.length === 0) throw new MtaError('EMPTY_FILE', 'file is empty', { subject: name });
  if (startsWith(bytes, 0, 'RIFF')) {
    if (bytes.length < 12) throw truncatedHeader(name, 'RIFF', bytes.length);
    if (isRiffWave(bytes)) return 'wav';
    throw unsupported(name, bytes, `RIFF file of type '${ascii(bytes, 8, 4)}', not WAVE`);
  }
  if (startsWith(bytes, 0, 'OggS')) return oggCodec(bytes, name);
  const audioStart = id3v2End(bytes, name);
  if (startsWith(bytes, audioStart, 'fLaC')) return 'flac';
  if (audioStart > 0 || isMpegFrameHeader(bytes, 0)) return 'mp3';
  for (const [at, magic, what] of OTHER_MAGIC) {
    if (startsWith(bytes, at, magic)) throw unsupported(name, bytes, `${what} files are not supported`);
  }
  throw unsupported(name, bytes, 'not a recognised audio format');
}

/** The codec of an Ogg stream, from the first packet of its first page. */
function oggCodec(bytes: Uint8Array, name: string): AudioContainer {
  const segments = bytes[26];
  const packet = 27 + (segments ?? 0);
  if (bytes.length < 27 || bytes.length < packet + 8) throw truncatedHeader(name, 'Ogg', bytes.length);
  if (startsWith(bytes, packet, '\x01vorbis')) return 'ogg-vorbis';
  if (startsWith(bytes, packet, 'OpusHead')) return 'ogg-opus';
  if (startsWith(bytes, packet, '\x7fFLAC')) throw unsupported(name, bytes, 'Ogg FLAC is not supported');
  if (startsWith(bytes, packet, 'Speex')) throw unsupported(name, bytes, 'Ogg Speex is not supported');
  throw unsupported(name, bytes, 'Ogg stream of an unknown codec');
}

/** Offset just past a leading ID3v2 tag (ID3v2.4 §3.1: 10-byte header, syncsafe size), or 0. */
export function id3v2End(bytes: Uint8Array, name: string): number {
  if (!startsWith(bytes, 0, 'ID3')) return 0;
  if (bytes.length < 10) throw truncatedHeader(name, 'ID3', bytes.length);
  const size =
    ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
  const footer = bytes[5] & 0x10 ? 10 : 0;
  const end = 10 + size + footer;
  if (end >= bytes.length) {
    throw new MtaError('TRUNCATED', 'ID3 tag runs to the end of the file; no audio follows', {
      subject: name,
      expected: `audio after byte ${end}`,
      actual: `${bytes.length} bytes`,
    });
  }
  return end;
}

function startsWith(bytes: Uint8Array, at: number, magic: string): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

function ascii(bytes: Uint8Array, at: number, n: number): string {
  return Array.from(bytes.subarray(at, at + n), (b) =>
    b >= 32 && b < 127 ? String.fromCharCode(b) : '?',
  ).join('');
}

function leadingBytes(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function unsupported(name: string, bytes: Uint8Array, message: string): MtaError {
  return new MtaError('UNSUPPORTED_FORMAT', message, {
    subject: name,
    expected: SUPPORTED,
    actual: `a file starting ${leadingBytes(bytes)}`,
  });
}

function truncatedHeader(name: string, what: string, length: number): MtaError {
  return new MtaError('TRUNCATED', `${what} header is cut off`, {
    subject: name,
    expected: 'a complete header',
    actual: `${length} bytes`,
  });
}
