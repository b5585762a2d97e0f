/**
 * Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), following the update equations of
 * PyTorch's torch.optim.Adam / AdamW documentation, including bias correction. Weight decay applies
 * only to parameters with `decay` set: as an L2 term added to the gradient (Adam) or decoupled, as a
 * shrink of the weight by lr·wd before the Adam step (AdamW).
 */
import type { Param } from './engine.js';
import { checkNonNegative, Optimizer, type OptimizerOptions } from './optim.js';
import { MtaError } from '../common/index.js';

export interface AdamOptions extends OptimizerOptions {
  /** Decay rates of the first and second moment estimates; default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the denominator for stability; default 1e-8. */
  eps?: number;
  /** Default 0 for Adam, 1e-2 for AdamW (PyTorch's defaults). */
  weightDecay?: number;
}

export class Adam extends Optimizer {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly decoupled: boolean;

  constructor(params: readonly Param[], opts: AdamOptions, decoupled = false) {
    super(params, opts, ['exp_avg', 'exp_avg_sq']);
    const [beta1, beta2] = opts.betas ?? [0.9, 0.999];
    for (const [name, b] of [
      ['optimizer.beta1', beta1],
      ['optimizer.beta2', beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) {
        throw new MtaError('BAD_CONFIG', 'must be in [0, 1)', { subject: name, actual: String(b) });
      }
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? (decoupled ? 1e-2 : 0);
    this.decoupled = decoupled;
    checkNonNegative(this.eps, 'optimizer.eps');
    checkNonNegative(this.weightDecay, 'optimizer.weightDecay');
  }

  protected update(lr: number, t: number): void {
    const { beta1, beta2, eps, weightDecay, decoupled, kernels } = this;
    // lr·m̂/(√v̂ + eps) with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ) equals step·m/(√v + eps·c2) with
    // c2 = √(1−β2ᵗ) and step = lr·c2/(1−β1ᵗ): one division per weight instead of three.
    const correction2Sqrt = Math.sqrt(1 - beta2 ** t);
    const stepPerRate = correction2Sqrt / (1 - beta1 ** t);
    const scaledEps = eps * correction2Sqrt;
    const m = this.slot('exp_avg');
    const v = this.slot('exp_avg_sq');
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const rate = lr * this.scales[i];
      const wd = p.decay ? weightDecay : 0;
      const l2 = decoupled ? 0 : wd;
      const shrink = decoupled ? 1 - rate * wd : 1;
      const w = p.value();
      const g = p.grad();
      if (kernels) {
        kernels.adam_f32(
          w.byteOffset,
          g.byteOffset,
          m[i].ptr,
          v[i].ptr,
          w.length,
          beta1,
          beta2,
          rate * stepPerRate,
          scaledEps,
          l2,
          shrink,
        );
      } else {
        adamUpdate(w, g, m[i].data(), v[i].data(), beta1, beta2, rate * stepPerRate, scaledEps, l2, shrink);
      }
    }
  }
}

export class AdamW extends Adam {
  constructor(params: readonly Param[], opts: AdamOptions) {
    super(params, opts, true);
  }
}

/** The TypeScript twin of wasm/optim.ts adam_f32 (computing in float64, storing float32). */
function adamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  beta1: number,
  beta2: number,
  step: number,
  eps: number,
  l2: number,
  shrink: number,
): void {
  const n = w.length;
  for (let j = 0; j < n; j++) {
    const gj = g[j] + l2 * w[j];
    const mj = beta1 * m[j] + (1 - beta1) * gj;
    const vj = beta2 * v[j] + (1 - beta2) * gj * gj;
    m[j] = mj;
    v[j] = vj;
    w[j] = w[j] * shrink - (step * mj) / (Math.sqrt(vj) + eps);
  }
}
