/**
 * The safetensors format (https://github.com/huggingface/safetensors, "Format" in its README):
 *
 *   [8 bytes]  N, the header length, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON object, starting with '{', padded with spaces to a multiple of 8:
 *              { "__metadata__": { string: string }, "<name>": { "dtype": "F32", "shape": [2, 3],
 *                "data_offsets": [begin, end] }, ... }
 *   [rest]     the data buffer; offsets are relative to its start, the tensors' byte ranges tile it
 *              exactly (no holes, no overlaps), each range is product(shape) · dtype size bytes.
 *
 * The decoder reads untrusted files: it checks every number in the header against the file before
 * using it, so a hostile file can only produce an MtaError('BAD_MODEL'), never a large allocation,
 * an out-of-bounds read or a hang.
 *
 * @example
 *   const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
 *   const { tensors } = decodeSafetensors(bytes, 'model.safetensors');
 */
import { MtaError, type ErrorDetails } from '../common/index.js';
import {
  arrayMatchesDtype,
  dtypeSize,
  isSafetensorsDtype,
  SAFETENSORS_DTYPES,
  viewOrCopy,
  type SafeTensor,
  type SafetensorsDtype,
} from './safetensors-dtypes.js';

/** The reference implementation refuses headers over 100 MB; so do we. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100 * 1024 * 1024;

const METADATA_KEY = '__metadata__';
const HEADER_ALIGNMENT = 8;
const ENTRY_KEYS = ['data_offsets', 'dtype', 'shape'];

export interface Safetensors {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

/**
 * Serializes tensors and string metadata. Tensors are laid out by decreasing element size (then by
 * name), so every tensor starts aligned to its element size and decodes without a copy.
 */
export function encodeSafetensors(
  tensors: Record<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) checkTensorToEncode(name, tensors[name]);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new MtaError('BAD_ARGUMENT', 'safetensors metadata values must be strings', {
        subject: `metadata "${key}"`,
        actual: typeof value,
      });
    }
  }
  names.sort((a, b) => {
    const bySize = dtypeSize(tensors[b].dtype) - dtypeSize(tensors[a].dtype);
    return bySize !== 0 ? bySize : a < b ? -1 : a > b ? 1 : 0;
  });

  // Built by hand rather than with JSON.stringify on an object so that no tensor name (say
  // "__proto__") can be swallowed by an object literal.
  const members: string[] = [];
  if (Object.keys(metadata).length > 0) {
    members.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const end = offset + t.data.byteLength;
    const entry = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] };
    members.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${members.join(',')}}`);
  const headerLength = Math.ceil(json.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  const dataStart = 8 + headerLength;

  const out = new Uint8Array(dataStart + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, dataStart);
  let cursor = dataStart;
  for (const name of names) {
    const { data } = tensors[name];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), cursor);
    cursor += data.byteLength;
  }
  return out;
}

function checkTensorToEncode(name: string, t: SafeTensor): void {
  const subject = `tensor "${name}"`;
  if (name === METADATA_KEY) {
    throw new MtaError('BAD_ARGUMENT', `"${METADATA_KEY}" is reserved for metadata`, { subject });
  }
  if (!isSafetensorsDtype(t.dtype)) {
    throw new MtaError('BAD_ARGUMENT', 'unknown dtype', {
      subject,
      expected: SAFETENSORS_DTYPES.join(', '),
      actual: String(t.dtype),
    });
  }
  if (!arrayMatchesDtype(t.dtype, t.data)) {
    throw new MtaError('BAD_ARGUMENT', `data is not the typed array for ${t.dtype}`, {
      subject,
      actual: Object.prototype.toString.call(t.data),
    });
  }
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new MtaError('BAD_ARGUMENT', 'shape must be non-negative integers', {
      subject,
      actual: JSON.stringify(t.shape),
    });
  }
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new MtaError('BAD_ARGUMENT', 'data length does not match shape', {
      subject,
      expected: `${count} elements for shape ${JSON.stringify(t.shape)}`,
      actual: `${t.data.length}`,
    });
  }
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses and validates a safetensors file. Tensor data are views into `bytes` where aligned (so they
 * share its memory) and copies otherwise. Every problem is an MtaError('BAD_MODEL') with `subject`.
 */
export function decodeSafetensors(bytes: Uint8Array, subject: string): Safetensors {
  const fail = (message: string, details: ErrorDetails = {}): MtaError =>
    new MtaError('BAD_MODEL', message, {
      subject,
      hint: 'is this a safetensors file, and was it written completely?',
      ...details,
    });

  if (bytes.length < 8) {
    throw fail('file is too short to hold the header length', {
      expected: 'at least 8 bytes',
      actual: `${bytes.length} bytes`,
    });
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  const available = bytes.length - 8;
  if (declared > BigInt(Math.min(available, MAX_SAFETENSORS_HEADER_BYTES))) {
    throw fail('header length is larger than the file allows', {
      expected: `at most ${Math.min(available, MAX_SAFETENSORS_HEADER_BYTES)} bytes`,
      actual: `${declared} bytes`,
    });
  }
  const headerLength = Number(declared);
  const dataStart = 8 + headerLength;
  const header = parseHeaderJson(bytes.subarray(8, dataStart), fail);

  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = checkMetadata(raw, fail);
    else entries.push(checkEntry(name, raw, dataLength, fail));
  }
  checkTiling(entries, dataLength, fail);

  const tensors = Object.fromEntries(
    entries.map((e) => {
      const count = (e.end - e.begin) / dtypeSize(e.dtype);
      const data = viewOrCopy(e.dtype, bytes, dataStart + e.begin, count);
      return [e.name, { dtype: e.dtype, shape: e.shape, data } as SafeTensor];
    }),
  );
  return { tensors, metadata };
}

type Fail = (message: string, details?: ErrorDetails) => MtaError;

function parseHeaderJson(headerBytes: Uint8Array, fail: Fail): Record<string, unknown> {
  if (headerBytes[0] !== 0x7b) {
    throw fail("header does not start with '{'", {
      actual: headerBytes.length === 0 ? 'an empty header' : `byte 0x${headerBytes[0].toString(16)}`,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw fail('header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw fail(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isRecord(parsed)) throw fail('header is not a JSON object');
  return parsed;
}

function checkMetadata(raw: unknown, fail: Fail): Record<string, string> {
  if (!isRecord(raw)) throw fail(`"${METADATA_KEY}" is not an object of strings`);
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') {
      throw fail(`"${METADATA_KEY}" entry ${quote(key)} is not a string`, { actual: jsonType(value) });
    }
  }
  return raw as Record<string, string>;
}

function checkEntry(name: string, raw: unknown, dataLength: number, fail: Fail): HeaderEntry {
  const bad = (reason: string, details?: ErrorDetails): MtaError =>
    fail(`tensor ${quote(name)}: ${reason}`, details);
  if (!isRecord(raw)) throw bad('entry is not an object', { actual: jsonType(raw) });
  const keys = Object.keys(raw).sort();
  if (keys.join() !== ENTRY_KEYS.join()) {
    throw bad('entry has the wrong fields', {
      expected: ENTRY_KEYS.join(', '),
      actual: keys.join(', ') || 'none',
    });
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (!isSafetensorsDtype(dtype)) {
    throw bad('unknown dtype', { expected: SAFETENSORS_DTYPES.join(', '), actual: preview(dtype) });
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw bad('shape is not a list of non-negative integers', { actual: preview(shape) });
  }
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (!Number.isSafeInteger(count)) throw bad('shape has too many elements', { actual: preview(shape) });
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw bad('data_offsets is not a pair of non-negative integers', { actual: preview(offsets) });
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw bad('data_offsets lie outside the data buffer', {
      expected: `0 <= begin <= end <= ${dataLength}`,
      actual: preview(offsets),
    });
  }
  const needed = count * dtypeSize(dtype);
  if (end - begin !== needed) {
    throw bad(`data_offsets span the wrong number of bytes for shape ${preview(shape)} of ${dtype}`, {
      expected: `${needed} bytes`,
      actual: `${end - begin} bytes`,
    });
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The byte ranges must tile the data buffer: sorted, each starts where the previous ended. */
function checkTiling(entries: HeaderEntry[], dataLength: number, fail: Fail): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = 'the start of the data buffer';
  for (const e of sorted) {
    if (e.begin !== cursor) {
      const reason = e.begin < cursor ? `overlaps ${previous}` : `leaves a gap after ${previous}`;
      throw fail(`tensor ${quote(e.name)}: data_offsets ${reason}`, {
        expected: `begin = ${cursor}`,
        actual: `begin = ${e.begin}`,
      });
    }
    cursor = e.end;
    previous = `tensor ${quote(e.name)}`;
  }
  if (cursor !== dataLength) {
    throw fail('the data buffer has bytes no tensor refers to', {
      expected: `${cursor} data bytes`,
      actual: `${dataLength}`,
    });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A name from the file, quoted with control characters escaped and cut to a readable length. */
function quote(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

/** A short description of an untrusted JSON value for messages, never recursing into it. */
function preview(v: unknown): string {
  if (Array.isArray(v)) {
    const flat = v.length <= 16 && v.every((x) => x === null || typeof x !== 'object');
    return flat ? JSON.stringify(v) : `an array of ${v.length} items`;
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return jsonType(v);
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}
