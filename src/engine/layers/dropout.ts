import { MtaError, Rng } from '../../common/index.js';
import type { Engine, Parameter } from '../engine.js';
import { expectShape, type Tensor } from '../tensor.js';
import { savedState, type Layer, type Mode } from './layer.js';

/**
 * Inverted dropout, any shape: in training each element is kept with probability 1 − rate and scaled
 * by 1/(1 − rate); in eval mode the layer is the identity. The mask comes from the layer's own
 * stream, Rng.derive(seed, name), so runs are reproducible. Kernel: mul_f32.
 */
export class Dropout implements Layer {
  private readonly rng: Rng;
  private saved: { mask: Tensor | undefined } | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly rate: number,
    seed = engine.seed,
  ) {
    if (!(rate >= 0 && rate < 1)) {
      throw new MtaError('BAD_CONFIG', 'dropout rate must be in [0, 1)', {
        subject: name,
        actual: `${rate}`,
      });
    }
    this.rng = Rng.derive(seed, name);
  }

  params(): Parameter[] {
    return [];
  }

  forward(x: Tensor, mode: Mode = 'eval'): Tensor {
    if (mode === 'eval' || this.rate === 0) {
      this.saved = { mask: undefined };
      return x;
    }
    const mask = this.engine.tensor(x.shape);
    const m = mask.data();
    const keep = 1 / (1 - this.rate);
    for (let i = 0; i < m.length; i++) m[i] = this.rng.next() < this.rate ? 0 : keep;
    const y = this.engine.tensor(x.shape);
    this.engine.kernels.mul_f32(x.ptr, mask.ptr, y.ptr, x.size);
    this.saved = { mask };
    return y;
  }

  backward(dy: Tensor): Tensor {
    const { mask } = savedState(this.saved, this.name);
    if (mask === undefined) return dy;
    expectShape(dy, mask.shape, `${this.name} output gradient`);
    this.engine.kernels.mul_f32(dy.ptr, mask.ptr, dy.ptr, dy.size); // in place: backward consumes dy
    return dy;
  }
}
