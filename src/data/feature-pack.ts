/**
 * Feature pack files: many clips' log-mel frames in one file, read with positional reads (never
 * loaded whole), written atomically. Little-endian:
 *
 *   header  32 B  magic "MTAFEAT1", u32 version, u32 bands, u32 count, 12 B reserved
 *   index   count × 40 B  key (20 B SHA-1), u32 frames, u32 waveform samples, u32 CRC-32 of the
 *           data, f64 data offset
 *   data    float32 frames × bands per entry, row-major (frame-major), 4-byte aligned
 *
 * Every size in a header is checked against the file size before it is used.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { MtaError, writeFileAtomic } from '../common/index.js';

const MAGIC = 'MTAFEAT1';
const VERSION = 1;
const HEADER_BYTES = 32;
const ENTRY_BYTES = 40;
export const KEY_BYTES = 20;

export interface PackEntry {
  /** Hex SHA-1 feature key. */
  key: string;
  frames: number;
  /** Length of the waveform the frames came from, in samples at the front end's rate. */
  samples: number;
  crc: number;
  /** Byte offset of the entry's data in the pack. */
  offset: number;
}

export interface PackItem {
  key: string;
  frames: number;
  samples: number;
  data: Float32Array;
}

/** Writes items as one pack file (atomically). */
export function writePack(path: string, bands: number, items: PackItem[]): void {
  const dataStart = HEADER_BYTES + items.length * ENTRY_BYTES;
  const total = items.reduce((s, it) => s + it.data.byteLength, dataStart);
  const buf = Buffer.alloc(total);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(VERSION, 8);
  buf.writeUInt32LE(bands, 12);
  buf.writeUInt32LE(items.length, 16);
  let off = dataStart;
  items.forEach((it, i) => {
    const bytes = new Uint8Array(it.data.buffer, it.data.byteOffset, it.data.byteLength);
    const e = HEADER_BYTES + i * ENTRY_BYTES;
    buf.write(it.key, e, KEY_BYTES, 'hex');
    buf.writeUInt32LE(it.frames, e + 20);
    buf.writeUInt32LE(it.samples, e + 24);
    buf.writeUInt32LE(crc32(bytes), e + 28);
    buf.writeDoubleLE(off, e + 32);
    buf.set(bytes, off);
    off += bytes.length;
  });
  writeFileAtomic(path, buf);
}

/** An open pack: its index in memory, its data read on demand. */
export class PackReader {
  readonly entries: PackEntry[] = [];
  readonly bands: number;
  private fd: number;

  /** Throws MtaError('BAD_DATA') if the header or index is inconsistent. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      const size = fstatSync(this.fd).size;
      const head = Buffer.alloc(HEADER_BYTES);
      if (
        readSync(this.fd, head, 0, HEADER_BYTES, 0) !== HEADER_BYTES ||
        head.toString('latin1', 0, 8) !== MAGIC
      ) {
        throw this.bad('not a feature pack');
      }
      if (head.readUInt32LE(8) !== VERSION) throw this.bad(`unknown pack version ${head.readUInt32LE(8)}`);
      this.bands = head.readUInt32LE(12);
      const count = head.readUInt32LE(16);
      if (this.bands === 0 || HEADER_BYTES + count * ENTRY_BYTES > size)
        throw this.bad('index larger than the file');
      const index = Buffer.alloc(count * ENTRY_BYTES);
      readSync(this.fd, index, 0, index.length, HEADER_BYTES);
      const rowBytes = this.bands * 4;
      for (let i = 0; i < count; i++) {
        const e = i * ENTRY_BYTES;
        const frames = index.readUInt32LE(e + 20);
        const offset = index.readDoubleLE(e + 32);
        if (!Number.isSafeInteger(offset) || offset < HEADER_BYTES || offset + frames * rowBytes > size) {
          throw this.bad(`entry ${i} lies outside the file`);
        }
        this.entries.push({
          key: index.toString('hex', e, e + KEY_BYTES),
          frames,
          samples: index.readUInt32LE(e + 24),
          crc: index.readUInt32LE(e + 28),
          offset,
        });
      }
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  /** Reads `bytes` bytes at `offset` into `dest` (a view of the caller's buffer). */
  read(offset: number, dest: Uint8Array): void {
    let got = 0;
    while (got < dest.length) {
      const n = readSync(this.fd, dest, got, dest.length - got, offset + got);
      if (n === 0) throw this.bad('file ended early');
      got += n;
    }
  }

  /** True if the entry's data still matches its CRC; `scratch` is reused between calls. */
  verify(e: PackEntry, scratch: { buf: Uint8Array }): boolean {
    const n = e.frames * this.bands * 4;
    if (scratch.buf.length < n) scratch.buf = new Uint8Array(Math.max(n, scratch.buf.length * 2));
    const view = scratch.buf.subarray(0, n);
    this.read(e.offset, view);
    return crc32(view) === e.crc;
  }

  close(): void {
    closeSync(this.fd);
  }

  private bad(msg: string): MtaError {
    return new MtaError('BAD_DATA', `corrupt feature pack: ${msg}`, { subject: this.path });
  }
}
