import {
  BatchNorm,
  Conv2d,
  type Engine,
  type LayerBuffer,
  type Mode,
  type Parameter,
  type Tensor,
} from '../engine/index.js';

/**
 * One block of the encoder or of an adapter column (DESIGN.md §1):
 *   x [B, H, W, Cin] → conv k_t×1 → BN+ReLU → conv 1×k_f → BN+ReLU → (max-pool 2×2) → [B, H', W', Cf]
 * Convs have no bias (BN follows). The second BN applies ReLU and the 2×2 max-pool in the same pass
 * (the engine's fused kernel), so the full-resolution activation is never stored. In an adapter the BN scales γ are the channel gates whose size the
 * cost surrogate penalises: `bnT.gamma` gates the time conv's outputs, `bnF.gamma` the frequency conv's.
 */
export interface ConvBlockShape {
  inChannels: number;
  timeChannels: number;
  freqChannels: number;
  timeKernel: number;
  freqKernel: number;
  pool: boolean;
}

export interface BatchNormSettings {
  eps: number;
  momentum: number;
}

export class ConvBlock {
  readonly convT: Conv2d;
  readonly bnT: BatchNorm;
  readonly convF: Conv2d;
  readonly bnF: BatchNorm;
  private inputShape: readonly number[] = [];

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly shape: ConvBlockShape,
    bn: BatchNormSettings,
  ) {
    const s = shape;
    const opts = { eps: bn.eps, momentum: bn.momentum, relu: true };
    this.convT = new Conv2d(engine, `${name}.time.conv`, {
      inChannels: s.inChannels,
      outChannels: s.timeChannels,
      kernel: [s.timeKernel, 1],
    });
    this.bnT = new BatchNorm(engine, `${name}.time.bn`, s.timeChannels, opts);
    this.convF = new Conv2d(engine, `${name}.freq.conv`, {
      inChannels: s.timeChannels,
      outChannels: s.freqChannels,
      kernel: [1, s.freqKernel],
    });
    this.bnF = new BatchNorm(engine, `${name}.freq.bn`, s.freqChannels, { ...opts, pool: s.pool ? 2 : 1 });
  }

  params(): Parameter[] {
    return [...this.convT.params(), ...this.bnT.params(), ...this.convF.params(), ...this.bnF.params()];
  }

  buffers(): LayerBuffer[] {
    return [...this.bnT.buffers(), ...this.bnF.buffers()];
  }

  forward(x: Tensor, mode: Mode): Tensor {
    this.inputShape = x.shape;
    const t = this.bnT.forward(this.convT.forward(x, mode), mode);
    return this.bnF.forward(this.convF.forward(t, mode), mode);
  }

  /** Accumulates parameter gradients; returns d/dx only when `inputGrad` (the first block skips it). */
  backward(dy: Tensor, inputGrad: boolean): Tensor | undefined {
    // The block's inner gradients (two full-resolution tensors) die inside it: allocating the input
    // gradient first lets one scratch scope release them, which keeps the backward pass's peak at
    // one block's temporaries instead of the sum over blocks.
    const { engine } = this;
    const dx = inputGrad ? engine.tensor(this.inputShape) : undefined;
    const mark = engine.mark();
    const d = this.bnT.backward(this.convF.backward(this.bnF.backward(dy)));
    if (dx) this.convT.backward(d, dx);
    else this.convT.backwardParams(d);
    engine.reset(mark);
    return dx;
  }
}
