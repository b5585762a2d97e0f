import { MtaError } from '../../common/index.js';
import type { Engine, Parameter } from '../engine.js';
import { ones, values, zeros } from '../init.js';
import { expectShape, type Tensor } from '../tensor.js';
import { Conv2d } from './conv2d.js';
import { accumulate, savedState, type Layer, type Mode } from './layer.js';

/**
 * Batch normalisation over the channel (last) axis, optionally fused with the ReLU after it.
 * Shapes: x, y [..., C] (M = size / C rows); gamma, beta, running mean/variance [C].
 *   train: y = act(γ·(x − μ_B)/√(σ²_B + ε) + β) with the batch's biased variance, and
 *          running ← (1 − momentum)·running + momentum·batch (PyTorch's convention; the running
 *          variance takes the unbiased batch variance).
 *   eval:  the same with the running statistics.
 * Kernels: wasm/batchnorm.ts; reference: reference/batchnorm.ts.
 */
export interface BatchNormOptions {
  /** Default 1e-3 (as in the paper's TensorFlow models). */
  eps?: number;
  /** Weight of the new batch in the running averages; default 0.01. */
  momentum?: number;
  /** Apply ReLU after the normalisation, in the same pass. */
  relu?: boolean;
  /**
   * Max-pool the (activated) output over pool×pool windows with stride pool, in the same pass, so
   * the full-resolution activation is never stored (saves memory and two passes in training).
   */
  pool?: number;
}

/** A non-trainable tensor a layer keeps across steps (saved with the model, never optimised). */
export interface LayerBuffer {
  readonly name: string;
  readonly shape: readonly number[];
  value(): Float32Array;
}

interface Saved {
  x: Tensor;
  y: Tensor;
  mode: Mode;
}

export class BatchNorm implements Layer {
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;
  readonly relu: boolean;
  readonly pool: number;
  // Per-channel vectors of the latest forward pass, in f32 for the kernels and f64 for the gradients.
  private readonly scale: Tensor;
  private readonly shift: Tensor;
  private readonly mean: Tensor;
  private readonly a: Tensor;
  private readonly b: Tensor;
  private readonly k: Tensor;
  private readonly invStd: Float64Array;
  private saved: Saved | undefined;

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly channels: number,
    opts: BatchNormOptions = {},
  ) {
    this.eps = opts.eps ?? 1e-3;
    this.momentum = opts.momentum ?? 0.01;
    this.relu = opts.relu ?? false;
    this.pool = opts.pool ?? 1;
    if (
      !(this.eps > 0) ||
      !(this.momentum >= 0 && this.momentum <= 1) ||
      !(Number.isInteger(this.pool) && this.pool >= 1)
    ) {
      throw new MtaError(
        'BAD_CONFIG',
        'batch norm needs eps > 0, momentum in [0, 1] and an integer pool ≥ 1',
        {
          subject: name,
          actual: `eps ${this.eps}, momentum ${this.momentum}, pool ${this.pool}`,
        },
      );
    }
    this.gamma = engine.param(`${name}.gamma`, [channels], ones);
    this.beta = engine.param(`${name}.beta`, [channels], zeros);
    this.runningMean = engine.persistentTensor([channels], `${name}.running_mean`);
    this.runningVar = engine.persistentTensor([channels], `${name}.running_var`);
    this.runningVar.data().fill(1);
    [this.scale, this.shift, this.mean, this.a, this.b, this.k] = Array.from({ length: 6 }, () =>
      engine.persistentTensor([channels], name),
    );
    this.invStd = new Float64Array(channels);
  }

  params(): Parameter[] {
    return [this.gamma, this.beta];
  }

  /** The running statistics, to be saved and loaded with the parameters. */
  buffers(): LayerBuffer[] {
    return [
      { name: `${this.name}.running_mean`, shape: [this.channels], value: () => this.runningMean.data() },
      { name: `${this.name}.running_var`, shape: [this.channels], value: () => this.runningVar.data() },
    ];
  }

  private rows(x: Tensor): number {
    if (x.shape[x.shape.length - 1] !== this.channels) {
      throw new MtaError('BAD_ARGUMENT', 'input channels do not match the layer', {
        subject: this.name,
        expected: `${this.channels} channels`,
        actual: `[${x.shape.join(', ')}]`,
      });
    }
    return x.size / this.channels;
  }

  forward(x: Tensor, mode: Mode = 'eval'): Tensor {
    const { engine, channels: C } = this;
    const M = this.rows(x);
    const pooled = this.pool > 1 ? this.pooledShape(x) : undefined;
    // Allocate before taking views: an allocation may grow memory and detach them.
    const y = engine.tensor(pooled ?? x.shape);
    const ws = engine.scratch64(2 * C);
    const mean = this.mean.data();
    const gamma = this.gamma.value();
    const beta = this.beta.value();
    if (mode === 'train') {
      engine.kernels.bn_moments(x.ptr, M, C, ws);
      const moments = engine.view64(ws, 2 * C);
      const rm = this.runningMean.data();
      const rv = this.runningVar.data();
      const unbias = M > 1 ? M / (M - 1) : 1;
      for (let c = 0; c < C; c++) {
        mean[c] = moments[c];
        this.invStd[c] = 1 / Math.sqrt(moments[C + c] + this.eps);
        rm[c] = (1 - this.momentum) * rm[c] + this.momentum * moments[c];
        rv[c] = (1 - this.momentum) * rv[c] + this.momentum * moments[C + c] * unbias;
      }
    } else {
      mean.set(this.runningMean.data());
      const rv = this.runningVar.data();
      for (let c = 0; c < C; c++) this.invStd[c] = 1 / Math.sqrt(rv[c] + this.eps);
    }
    const scale = this.scale.data();
    const shift = this.shift.data();
    for (let c = 0; c < C; c++) {
      scale[c] = gamma[c] * this.invStd[c];
      shift[c] = beta[c] - mean[c] * gamma[c] * this.invStd[c];
    }
    const k = engine.kernels;
    const relu = this.relu ? 1 : 0;
    if (pooled) {
      const [B, H, W] = x.shape;
      k.bn_pool_forward(x.ptr, y.ptr, B, H, W, C, this.pool, this.scale.ptr, this.shift.ptr, relu);
    } else {
      k.bn_apply(x.ptr, y.ptr, M, C, this.scale.ptr, this.shift.ptr, relu);
    }
    this.saved = { x, y, mode };
    return y;
  }

  backward(dy: Tensor): Tensor {
    const { x, y, mode } = savedState(this.saved, this.name);
    expectShape(dy, y.shape, `${this.name} output gradient`);
    const { engine, channels: C } = this;
    const k = engine.kernels;
    const M = this.rows(x);
    const relu = this.relu ? 1 : 0;
    const [B, H, W] = x.shape;
    // With the fused pool dx is full-resolution and dy pooled; otherwise dx is written over dy.
    const dx = this.pool > 1 ? engine.tensor(x.shape) : dy;
    const ws = engine.scratch64(2 * C);
    if (this.pool > 1) {
      const part = engine.tensor([2 * C]);
      k.bn_pool_backward_reduce(
        dy.ptr, x.ptr, y.ptr, B, H, W, C, this.pool,
        this.scale.ptr, this.shift.ptr, this.mean.ptr, relu, ws, part.ptr,
      ); // prettier-ignore
    } else {
      k.bn_backward_reduce(dy.ptr, x.ptr, M, C, this.scale.ptr, this.shift.ptr, this.mean.ptr, relu, ws);
    }
    const sums = engine.view64(ws, 2 * C); // Σ g, Σ g·(x − μ)
    accumulate(this.beta.grad(), sums);
    const dgamma = this.gamma.grad();
    const gamma = this.gamma.value();
    const a = this.a.data();
    const b = this.b.data();
    const kk = this.k.data();
    for (let c = 0; c < C; c++) {
      const s = this.invStd[c];
      dgamma[c] += s * sums[C + c];
      a[c] = gamma[c] * s;
      // In training the batch statistics depend on x: dx = γ·s·(g − mean(g) − x̂·mean(g·x̂)).
      b[c] = mode === 'train' ? (-gamma[c] * s * s * s * sums[C + c]) / M : 0;
      kk[c] = mode === 'train' ? (-gamma[c] * s * sums[c]) / M : 0;
    }
    if (this.pool > 1) {
      k.bn_pool_backward_apply(
        dy.ptr, x.ptr, y.ptr, dx.ptr, B, H, W, C, this.pool, this.scale.ptr, this.shift.ptr,
        this.mean.ptr, relu, this.a.ptr, this.b.ptr, this.k.ptr,
      ); // prettier-ignore
    } else {
      k.bn_backward_apply(
        dy.ptr, x.ptr, dx.ptr, M, C, this.scale.ptr, this.shift.ptr, relu,
        this.mean.ptr, this.a.ptr, this.b.ptr, this.k.ptr,
      ); // prettier-ignore
    }
    return dx;
  }

  private pooledShape(x: Tensor): number[] {
    if (x.shape.length !== 4 || x.shape[1] < this.pool || x.shape[2] < this.pool) {
      throw new MtaError(
        'BAD_ARGUMENT',
        'the fused max-pool needs an NHWC input at least as large as its window',
        {
          subject: this.name,
          expected: `[batch, ≥${this.pool}, ≥${this.pool}, ${this.channels}]`,
          actual: `[${x.shape.join(', ')}]`,
        },
      );
    }
    const [B, H, W, C] = x.shape;
    return [B, Math.floor(H / this.pool), Math.floor(W / this.pool), C];
  }

  /**
   * Folds this layer's eval-mode normalisation into the preceding convolution for inference:
   * returns a new Conv2d (named `<conv>.folded`) with weight w·γ/σ, bias β + (b − μ)·γ/σ, and this
   * layer's ReLU fused, so conv + BN + ReLU run as one kernel; a fused 2×2 pool is fused too (the
   * returned conv is then inference-only), and 3-tap convs use Winograd F(4,3) where it applies.
   * Larger pools are not fused: follow the conv with MaxPool2d(pool).
   */
  fold(conv: Conv2d): Conv2d {
    if (conv.relu) {
      throw new MtaError('BAD_ARGUMENT', 'cannot fold batch norm into a convolution that applies ReLU', {
        subject: conv.name,
      });
    }
    if (conv.outChannels !== this.channels) {
      throw new MtaError('BAD_ARGUMENT', 'batch norm does not match the convolution it folds into', {
        subject: this.name,
        expected: `${conv.outChannels} channels`,
        actual: `${this.channels}`,
      });
    }
    const C = this.channels;
    const gamma = this.gamma.value();
    const beta = this.beta.value();
    const rm = this.runningMean.data();
    const rv = this.runningVar.data();
    const s = Array.from({ length: C }, (_, c) => gamma[c] / Math.sqrt(rv[c] + this.eps));
    const w = Float32Array.from(conv.weight.value(), (v, i) => v * s[i % C]);
    const b0 = conv.bias?.value();
    const bias = Array.from({ length: C }, (_, c) => beta[c] + ((b0 ? b0[c] : 0) - rm[c]) * s[c]);
    return new Conv2d(this.engine, `${conv.name}.folded`, {
      inChannels: conv.inChannels,
      outChannels: C,
      kernel: conv.kernel,
      stride: conv.stride,
      padding: conv.padding,
      bias: true,
      activation: this.relu ? 'relu' : 'none',
      pool2: this.pool === 2,
      winograd: true,
      frozen: true,
      init: values(w),
      biasInit: values(bias),
    });
  }
}
