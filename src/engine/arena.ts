import { MtaError } from '../common/index.js';

/**
 * JS owns the WebAssembly memory through this arena. Two bump-allocated regions share it:
 * `persistent` (parameters, gradients, optimizer state; never freed) and `scratch` (activations and
 * per-step temporaries; released with mark/reset). Each region is a chain of blocks carved from the
 * top of memory, so either can grow while the other is in use; after the first training step the
 * scratch chain is big enough and later steps allocate nothing new.
 *
 * Alignment and slack: every allocation starts 16-byte aligned and is followed by SLACK bytes that no
 * other allocation uses, because SIMD kernels may read (never write) up to 28 bytes past a row's end.
 * Growing memory detaches old ArrayBuffers: take views with Tensor.data() after allocating, not before.
 */
export const ALIGN = 16;
export const SLACK = 32;
const PAGE = 65536;
const MAX_PAGES = 65536;

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export class Region {
  private readonly blocks: { start: number; end: number }[] = [];
  private block = -1;
  private cursor = 0;
  private peak = 0;

  constructor(
    private readonly arena: Arena,
    private readonly blockBytes: number,
  ) {}

  /** Returns a 16-byte aligned pointer to `bytes` bytes (contents undefined). */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 0), ALIGN) + SLACK;
    for (;;) {
      const b = this.blocks[this.block];
      if (b !== undefined && this.cursor + size <= b.end) {
        const ptr = this.cursor;
        this.cursor += size;
        this.peak = Math.max(this.peak, this.used());
        return ptr;
      }
      if (this.block + 1 < this.blocks.length) {
        this.block++;
        this.cursor = this.blocks[this.block].start;
        continue;
      }
      const blockSize = Math.max(size, this.blockBytes);
      const start = this.arena.carve(blockSize);
      this.blocks.push({ start, end: start + blockSize });
      this.block = this.blocks.length - 1;
      this.cursor = start;
    }
  }

  /** A position to return to with reset(); everything allocated after it is released. */
  mark(): number {
    return this.block < 0 ? 0 : this.block * 2 ** 32 + this.cursor;
  }

  reset(mark: number): void {
    if (mark === 0) {
      this.block = this.blocks.length > 0 ? 0 : -1;
      this.cursor = this.blocks.length > 0 ? this.blocks[0].start : 0;
      return;
    }
    this.block = Math.floor(mark / 2 ** 32);
    this.cursor = mark % 2 ** 32;
  }

  /** Bytes in use from the start of the chain to the cursor (including skipped block tails). */
  used(): number {
    let n = 0;
    for (let i = 0; i < this.block; i++) n += this.blocks[i].end - this.blocks[i].start;
    return this.block < 0 ? 0 : n + this.cursor - this.blocks[this.block].start;
  }

  /** Bytes of memory this region holds. */
  reserved(): number {
    return this.blocks.reduce((n, b) => n + b.end - b.start, 0);
  }

  highWater(): number {
    return this.peak;
  }
}

export class Arena {
  readonly persistent: Region;
  readonly scratch: Region;
  private top: number;

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = alignUp(base, ALIGN);
    this.persistent = new Region(this, 1 << 20);
    this.scratch = new Region(this, 16 << 20);
  }

  /** Takes a new block of `bytes` from the top of memory, growing the memory when needed. */
  carve(bytes: number): number {
    const start = this.top;
    const end = start + bytes;
    const needed = end + SLACK;
    const have = this.memory.buffer.byteLength;
    if (needed > have) {
      // Grow by at least 1/8 of the current size so that a growing network does not grow page by page.
      const pages = Math.max(Math.ceil((needed - have) / PAGE), Math.ceil(have / PAGE / 8));
      const current = have / PAGE;
      const grant = Math.min(pages, MAX_PAGES - current);
      if (current + grant < needed / PAGE) {
        throw new MtaError('LIMIT_EXCEEDED', 'out of WebAssembly memory', {
          subject: 'engine memory',
          expected: `at most ${MAX_PAGES * PAGE} bytes`,
          actual: `${needed} bytes`,
          hint: 'use a smaller batch or model',
        });
      }
      try {
        this.memory.grow(grant);
      } catch (e) {
        throw new MtaError('LIMIT_EXCEEDED', 'the runtime refused to grow WebAssembly memory', {
          subject: 'engine memory',
          actual: `${needed} bytes`,
          hint: 'use a smaller batch or model',
          cause: e,
        });
      }
    }
    this.top = end;
    return start;
  }

  /** Bytes of WebAssembly memory currently committed. */
  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}
