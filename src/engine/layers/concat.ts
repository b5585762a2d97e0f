import { MtaError } from '../../common/index.js';
import type { Engine } from '../engine.js';
import { expectShape, type Tensor } from '../tensor.js';
import { savedState } from './layer.js';

/**
 * Concatenation and split over the channel (last) axis: [..., C1] + [..., C2] ↔ [..., C1 + C2].
 * Each is the other's backward; both are row-by-row copies (kernel copy_channels).
 * Adapters concatenate encoder and adapter features with these.
 */

function leading(t: Tensor): readonly number[] {
  return t.shape.slice(0, -1);
}

function channels(t: Tensor): number {
  return t.shape[t.shape.length - 1];
}

/** Copies each part into its channel slice of a new [..., ΣC] tensor. */
function join(engine: Engine, parts: readonly Tensor[], subject: string): Tensor {
  if (parts.length === 0) throw new MtaError('BAD_ARGUMENT', 'nothing to concatenate', { subject });
  const lead = leading(parts[0]);
  for (const p of parts) expectShape(p, [...lead, -1], subject);
  const total = parts.reduce((n, p) => n + channels(p), 0);
  const y = engine.tensor([...lead, total]);
  const M = parts[0].size / channels(parts[0]);
  let offset = 0;
  for (const p of parts) {
    const c = channels(p);
    engine.kernels.copy_channels(p.ptr, c, 0, y.ptr, total, offset, M, c);
    offset += c;
  }
  return y;
}

/** Copies channel slices of x [..., ΣC] into new tensors [..., C_i]. */
function cut(engine: Engine, x: Tensor, sizes: readonly number[], subject: string): Tensor[] {
  const total = channels(x);
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== total) {
    throw new MtaError('BAD_ARGUMENT', 'split sizes do not add up to the channel count', {
      subject,
      expected: `${total}`,
      actual: `${sizes.join(' + ')} = ${sum}`,
    });
  }
  const M = x.size / total;
  let offset = 0;
  return sizes.map((c) => {
    const part = engine.tensor([...leading(x), c]);
    engine.kernels.copy_channels(x.ptr, total, offset, part.ptr, c, 0, M, c);
    offset += c;
    return part;
  });
}

export class Concat {
  private sizes: number[] | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
  ) {}

  forward(parts: readonly Tensor[]): Tensor {
    const y = join(this.engine, parts, this.name);
    this.sizes = parts.map(channels);
    return y;
  }

  backward(dy: Tensor): Tensor[] {
    return cut(this.engine, dy, savedState(this.sizes, this.name), this.name);
  }
}

export class Split {
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly sizes: readonly number[],
  ) {
    if (sizes.length === 0 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) {
      throw new MtaError('BAD_CONFIG', 'split sizes must be positive integers', {
        subject: name,
        actual: JSON.stringify(sizes),
      });
    }
  }

  forward(x: Tensor): Tensor[] {
    return cut(this.engine, x, this.sizes, this.name);
  }

  backward(dys: readonly Tensor[]): Tensor {
    return join(this.engine, dys, this.name);
  }
}
