/**
 * A validated walk over a RIFF/WAVE file: finds the `fmt ` and `data` chunks and checks every size
 * field against the bytes actually present, so nothing later trusts a header's claim. Chunk layout
 * follows the Microsoft RIFF spec (little-endian sizes, chunks padded to even length).
 */
import { MtaError } from '../common/index.js';
import { checkChannelCount, checkFrameCount, checkSampleRate } from './decode-limits.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..1 hold the plain format tag. */
const KSDATAFORMAT_GUID_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/** Names for the format tags people meet most, so the unsupported-codec error says what it saw. */
const KNOWN_TAGS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer 3',
  0x0092: 'Dolby AC-3',
};

/** Where the samples are and how they are stored. Offsets and sizes in bytes. */
export interface WavLayout {
  float: boolean;
  channels: number;
  sampleRate: number;
  /** Bits per sample slot in the data chunk (8, 16, 24, 32 or 64). */
  containerBits: number;
  /** Meaningful bits per sample (less than containerBits only in WAVE_FORMAT_EXTENSIBLE files). */
  validBits: number;
  /** Bytes per frame (one sample of every channel). */
  blockAlign: number;
  dataOffset: number;
  frames: number;
}

interface Chunk {
  id: string;
  body: number;
  size: number;
}

export function isRiffWave(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE';
}

export function parseWavLayout(bytes: Uint8Array, name: string): WavLayout {
  if (bytes.length < 12) {
    throw new MtaError('TRUNCATED', 'WAV header is cut off', {
      subject: name,
      expected: 'at least 12 bytes for the RIFF header',
      actual: `${bytes.length} bytes`,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riffEnd = 8 + view.getUint32(4, true);
  // A RIFF size one byte past the end is a missing pad byte, which many writers omit.
  if (riffEnd > bytes.length + 1) {
    throw new MtaError('TRUNCATED', 'RIFF header claims more bytes than the file holds', {
      subject: name,
      expected: `${riffEnd} bytes`,
      actual: `${bytes.length} bytes`,
      hint: 'the file is truncated or its header is corrupt',
    });
  }
  const end = Math.min(riffEnd, bytes.length);
  let fmt: Chunk | undefined;
  let data: Chunk | undefined;
  // Each step advances by at least 8 bytes, so the walk ends within bytes.length / 8 steps.
  for (let off = 12; off + 8 <= end;) {
    const chunk: Chunk = { id: ascii(bytes, off, 4), body: off + 8, size: view.getUint32(off + 4, true) };
    if (chunk.body + chunk.size > end) {
      throw new MtaError('TRUNCATED', `'${chunk.id.trim()}' chunk claims more bytes than the file holds`, {
        subject: name,
        expected: `${chunk.size} bytes from offset ${chunk.body}`,
        actual: `${end - chunk.body} bytes left`,
        hint: 'the file is truncated or its header is corrupt',
      });
    }
    if (chunk.id === 'fmt ' && !fmt) fmt = chunk;
    if (chunk.id === 'data' && !data) data = chunk;
    off = chunk.body + chunk.size + (chunk.size & 1);
  }
  if (!fmt) throw new MtaError('BAD_HEADER', "WAV file has no 'fmt ' chunk", { subject: name });
  if (!data) throw new MtaError('BAD_HEADER', "WAV file has no 'data' chunk", { subject: name });
  return layoutFrom(view, fmt, data, name);
}

function layoutFrom(view: DataView, fmt: Chunk, data: Chunk, name: string): WavLayout {
  if (fmt.size < 16) {
    throw new MtaError('BAD_HEADER', "'fmt ' chunk is too short", {
      subject: name,
      expected: 'at least 16 bytes',
      actual: `${fmt.size} bytes`,
    });
  }
  const at = fmt.body;
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const containerBits = view.getUint16(at + 14, true);
  let validBits = containerBits;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.size < 40 || view.getUint16(at + 16, true) < 22) {
      throw new MtaError('BAD_HEADER', "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is too short", {
        subject: name,
        expected: '40 bytes with a 22-byte extension',
        actual: `${fmt.size} bytes`,
      });
    }
    validBits = view.getUint16(at + 18, true) || containerBits;
    tag = view.getUint16(at + 24, true);
    const guidOk = KSDATAFORMAT_GUID_TAIL.every((b, i) => view.getUint8(at + 26 + i) === b);
    if (!guidOk || validBits > containerBits) {
      throw new MtaError('UNSUPPORTED_FORMAT', 'WAVE_FORMAT_EXTENSIBLE sub-format is not PCM or float', {
        subject: name,
        hint: 'convert to 16-bit PCM WAV',
      });
    }
  }
  const float = tag === WAVE_FORMAT_IEEE_FLOAT;
  if (tag !== WAVE_FORMAT_PCM && !float) {
    const hex = `0x${tag.toString(16).padStart(4, '0')}`;
    throw new MtaError(
      'UNSUPPORTED_FORMAT',
      `WAV codec ${hex} (${KNOWN_TAGS[tag] ?? 'unknown'}) is not supported`,
      {
        subject: name,
        expected: 'PCM (0x0001), IEEE float (0x0003) or WAVE_FORMAT_EXTENSIBLE of those',
        actual: hex,
        hint: 'convert to PCM WAV, e.g. `sox in.wav -e signed -b 16 out.wav`',
      },
    );
  }
  const bitsOk = float
    ? containerBits === 32 || containerBits === 64
    : [8, 16, 24, 32].includes(containerBits);
  if (!bitsOk) {
    throw new MtaError('UNSUPPORTED_FORMAT', `${float ? 'float' : 'PCM'} WAV sample size is not supported`, {
      subject: name,
      expected: float ? '32 or 64 bits' : '8, 16, 24 or 32 bits',
      actual: `${containerBits} bits`,
    });
  }
  checkChannelCount(channels, name);
  checkSampleRate(sampleRate, name);
  if (blockAlign !== (channels * containerBits) / 8) {
    throw new MtaError('BAD_HEADER', 'block align does not match channels and sample size', {
      subject: name,
      expected: `${(channels * containerBits) / 8} bytes per frame`,
      actual: `${blockAlign}`,
    });
  }
  // A trailing partial frame carries no complete sample set; it is ignored.
  const frames = Math.floor(data.size / blockAlign);
  checkFrameCount(frames, sampleRate, name);
  return { float, channels, sampleRate, containerBits, validBits, blockAlign, dataOffset: data.body, frames };
}

function ascii(bytes: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + n));
}
