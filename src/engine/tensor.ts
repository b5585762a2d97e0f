import { MtaError } from '../common/index.js';

/**
 * Layout convention for the whole engine: float32, row-major, NHWC for images
 * ([batch, height, width, channels]; for spectrogram patches height = time frames, width = mel
 * bands), conv weights [kh, kw, cin, cout], dense weights [in, out].
 */

/** Largest tensor the engine accepts (elements); a wasm32 memory holds 4 GiB. */
export const MAX_ELEMENTS = 2 ** 28;

/** Validates a shape (positive integers, bounded size) and returns its element count. */
export function shapeSize(shape: readonly number[], subject: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new MtaError('BAD_ARGUMENT', 'a tensor dimension must be a positive integer', {
        subject,
        expected: 'positive integers',
        actual: `[${shape.join(', ')}]`,
      });
    }
    n *= d;
  }
  if (n > MAX_ELEMENTS) {
    throw new MtaError('LIMIT_EXCEEDED', 'tensor too large', {
      subject,
      expected: `at most ${MAX_ELEMENTS} elements`,
      actual: `${n} ([${shape.join(', ')}])`,
    });
  }
  return n;
}

/** A float32 tensor living in the engine's WebAssembly memory at byte offset `ptr`. */
export class Tensor {
  readonly size: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    readonly ptr: number,
    readonly shape: readonly number[],
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /** A fresh view of the values; take a new one after anything that may grow memory. */
  data(): Float32Array {
    return new Float32Array(this.memory.buffer, this.ptr, this.size);
  }

  /** Rows start .. start+count of the first (batch) axis, as a view of the same memory. */
  rows(start: number, count: number): Tensor {
    const n = this.shape[0];
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > n) {
      throw new MtaError('BAD_ARGUMENT', 'row range outside the tensor', {
        subject: 'rows',
        expected: `a range within 0 .. ${n}`,
        actual: `${start} .. ${start + count}`,
      });
    }
    const per = this.size / n;
    return new Tensor(this.memory, this.ptr + start * per * 4, [count, ...this.shape.slice(1)]);
  }

  /** The same memory under another shape with the same number of elements. */
  reshape(shape: readonly number[]): Tensor {
    const n = shapeSize(shape, 'reshape');
    if (n !== this.size) {
      throw new MtaError('BAD_ARGUMENT', 'reshape must keep the number of elements', {
        subject: 'reshape',
        expected: `${this.size} elements ([${this.shape.join(', ')}])`,
        actual: `${n} ([${shape.join(', ')}])`,
      });
    }
    return new Tensor(this.memory, this.ptr, [...shape]);
  }
}

/** Throws unless `t` has exactly `shape` (-1 matches any size). */
export function expectShape(t: Tensor, shape: readonly number[], subject: string): void {
  const ok = t.shape.length === shape.length && shape.every((d, i) => d === -1 || d === t.shape[i]);
  if (!ok) {
    throw new MtaError('BAD_ARGUMENT', 'tensor has the wrong shape', {
      subject,
      expected: `[${shape.map((d) => (d === -1 ? '*' : d)).join(', ')}]`,
      actual: `[${t.shape.join(', ')}]`,
    });
  }
}
