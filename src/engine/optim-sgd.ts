/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay (only for
 * parameters with `decay` set), following the update equations of PyTorch's torch.optim.SGD
 * documentation with dampening 0.
 */
import type { Param } from './engine.js';
import { checkNonNegative, Optimizer, type OptimizerOptions } from './optim.js';
import { MtaError } from '../common/index.js';

export interface SgdOptions extends OptimizerOptions {
  /** Default 0 (plain SGD). */
  momentum?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
}

export class Sgd extends Optimizer {
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;

  constructor(params: readonly Param[], opts: SgdOptions) {
    const momentum = opts.momentum ?? 0;
    super(params, opts, momentum > 0 ? ['momentum_buffer'] : []);
    checkNonNegative(momentum, 'optimizer.momentum');
    this.momentum = momentum;
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = opts.weightDecay ?? 0;
    checkNonNegative(this.weightDecay, 'optimizer.weightDecay');
    if (this.nesterov && momentum === 0) {
      throw new MtaError('BAD_CONFIG', 'Nesterov momentum needs a momentum above 0', {
        subject: 'optimizer.nesterov',
      });
    }
  }

  protected update(lr: number): void {
    const { momentum, nesterov, kernels } = this;
    const buffers = momentum > 0 ? this.slot('momentum_buffer') : undefined;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const rate = lr * this.scales[i];
      const l2 = p.decay ? this.weightDecay : 0;
      const w = p.value();
      const g = p.grad();
      if (kernels) {
        kernels.sgd_f32(
          w.byteOffset,
          g.byteOffset,
          buffers ? buffers[i].ptr : 0,
          w.length,
          rate,
          l2,
          momentum,
          nesterov,
        );
      } else if (buffers) {
        momentumUpdate(w, g, buffers[i].data(), rate, l2, momentum, nesterov);
      } else {
        plainUpdate(w, g, rate, l2);
      }
    }
  }
}

function plainUpdate(w: Float32Array, g: Float32Array, rate: number, l2: number): void {
  const n = w.length;
  for (let j = 0; j < n; j++) w[j] -= rate * (g[j] + l2 * w[j]);
}

/**
 * buf ← μ·buf + g; step along buf, or along g + μ·buf for Nesterov. A zero buffer makes the first
 * step buf = g, which is PyTorch's initialization.
 */
function momentumUpdate(
  w: Float32Array,
  g: Float32Array,
  buf: Float32Array,
  rate: number,
  l2: number,
  momentum: number,
  nesterov: boolean,
): void {
  const n = w.length;
  for (let j = 0; j < n; j++) {
    const gj = g[j] + l2 * w[j];
    const bj = Math.fround(momentum * buf[j] + gj);
    buf[j] = bj;
    w[j] -= rate * (nesterov ? gj + momentum * bj : bj);
  }
}
