/**
 * Content identity of clip audio, for the feature cache key and the duplicate check: the SHA-1 of a
 * file's bytes (read in fixed chunks, so big files need no big buffer), or the generator version,
 * seed and index of a built-in clip.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { MtaError } from '../common/index.js';
import { BUILTIN_GENERATOR_VERSION } from './builtin/index.js';
import type { ClipAudio, PlainAudio } from './clip.js';

const CHUNK = 1 << 20;

export class ContentHasher {
  private readonly memo = new Map<string, string | MtaError>();
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  /** Hex SHA-1 of a file; throws an MtaError (remembered) if it cannot be read. */
  file(path: string): string {
    let h = this.memo.get(path);
    if (h === undefined) {
      try {
        h = this.hashFile(path);
      } catch (e) {
        h = new MtaError('FILE_UNREADABLE', `cannot read: ${(e as Error).message}`, {
          subject: path,
          cause: e,
        });
      }
      this.memo.set(path, h);
    }
    if (h instanceof MtaError) throw h;
    return h;
  }

  /** The identity of one file or generator call (without window or transform). */
  plain(a: PlainAudio): string {
    return a.kind === 'file'
      ? this.file(a.path)
      : `builtin:${BUILTIN_GENERATOR_VERSION}:${a.seed}:${a.ref.task}:${a.ref.index}`;
  }

  /**
   * Everything that determines a clip's waveform, with file paths replaced by content hashes, so a
   * moved file still hits the cache and an edited one misses it.
   */
  describe(a: ClipAudio): unknown {
    if (a.kind === 'mixture') {
      return {
        mix: [this.describe(a.speech), this.describe(a.noise)],
        snr: a.snrDb,
        seed: a.seed,
        min: a.minSeconds,
      };
    }
    const d: Record<string, unknown> = { src: this.plain(a) };
    if (a.kind === 'file' && a.window) d.window = [a.window.startSec, a.window.durationSec];
    if (a.resampleThroughHz !== undefined) d.through = a.resampleThroughHz;
    return d;
  }

  private hashFile(path: string): string {
    const h = createHash('sha1');
    const fd = openSync(path, 'r');
    try {
      for (;;) {
        const n = readSync(fd, this.buf, 0, CHUNK, null);
        if (n === 0) break;
        h.update(this.buf.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    return h.digest('hex');
  }
}
