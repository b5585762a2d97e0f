import { MtaError } from '../common/index.js';
import type { Engine, Parameter } from './engine.js';
import { BatchNorm, type LayerBuffer } from './layers/batchnorm.js';
import { Conv2d } from './layers/conv2d.js';
import { Dense } from './layers/dense.js';
import { GlobalMaxPool } from './layers/global-pool.js';
import type { Mode } from './layers/layer.js';
import { MaxPool2d } from './layers/maxpool.js';
import { Sequential } from './layers/sequential.js';
import type { Tensor } from './tensor.js';

/**
 * The reference encoder of DESIGN.md §1 with a dense head, used by the fixture test and the
 * benchmarks. Input x [B, 96, 64, 1] (time frames × mel bands). Block i (channels 8·2^i · width):
 * conv 3×1 → BN+ReLU → conv 1×3 → BN+ReLU → max-pool 2×2 (not after the last block); then global
 * max-pool and a dense head. BN eps 1e-3, momentum 0.01; convs have no bias (BN follows).
 * At width 1 with 10 classes: 397,634 trainable parameters (BN γ and β), 396,626 after folding BN
 * into the convs for inference, 10,177,024 multiply-adds per example.
 */
export interface ReferenceEncoderOptions {
  /** Channel multiplier; default 1 (channels 8, 16, 32, 64, 128, 256). */
  width?: number;
  classes?: number;
  /** Name prefix of every layer and parameter; default 'encoder'. */
  name?: string;
}

export const BASE_CHANNELS = [8, 16, 32, 64, 128, 256] as const;

/** bnF also max-pools 2×2 (fused) in every block but the last. */
export interface EncoderBlock {
  convT: Conv2d;
  bnT: BatchNorm;
  convF: Conv2d;
  bnF: BatchNorm;
}

export class ReferenceEncoder {
  constructor(
    private readonly engine: Engine,
    readonly blocks: readonly EncoderBlock[],
    readonly globalPool: GlobalMaxPool,
    readonly head: Dense,
  ) {}

  params(): Parameter[] {
    return [
      ...this.blocks.flatMap((b) => [
        ...b.convT.params(),
        ...b.bnT.params(),
        ...b.convF.params(),
        ...b.bnF.params(),
      ]),
      ...this.head.params(),
    ];
  }

  buffers(): LayerBuffer[] {
    return this.blocks.flatMap((b) => [...b.bnT.buffers(), ...b.bnF.buffers()]);
  }

  /** x [B, H, W, 1] → logits [B, classes]. */
  forward(x: Tensor, mode: Mode = 'eval'): Tensor {
    let h = x;
    for (const b of this.blocks) {
      h = b.bnT.forward(b.convT.forward(h, mode), mode);
      h = b.bnF.forward(b.convF.forward(h, mode), mode);
    }
    return this.head.forward(this.globalPool.forward(h, mode), mode);
  }

  /**
   * Backpropagates dlogits, accumulating every parameter gradient. Returns the input gradient only
   * when asked (the first conv then also runs its backward-data pass).
   */
  backward(dlogits: Tensor, inputGrad = false): Tensor | undefined {
    let d = this.globalPool.backward(this.head.backward(dlogits));
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const b = this.blocks[i];
      d = b.convF.backward(b.bnF.backward(d));
      d = b.bnT.backward(d);
      if (i > 0 || inputGrad) d = b.convT.backward(d);
      else b.convT.backwardParams(d);
    }
    return inputGrad ? d : undefined;
  }

  /** The inference network: each conv + BN + ReLU (+ 2×2 max-pool) folded into one conv kernel. */
  fold(): Sequential {
    const layers = this.blocks.flatMap((b) => [
      b.bnT.fold(b.convT),
      b.bnF.fold(b.convF),
      ...(b.bnF.pool > 2 ? [new MaxPool2d(this.engine, `${b.bnF.name}.pool`, b.bnF.pool)] : []),
    ]);
    return new Sequential('folded', [...layers, this.globalPool, this.head]);
  }
}

export function buildReferenceEncoder(engine: Engine, opts: ReferenceEncoderOptions = {}): ReferenceEncoder {
  const width = opts.width ?? 1;
  const classes = opts.classes ?? 10;
  const name = opts.name ?? 'encoder';
  if (!(width > 0) || !Number.isInteger(classes) || classes < 1) {
    throw new MtaError('BAD_CONFIG', 'encoder width must be > 0 and classes a positive integer', {
      subject: name,
      actual: `width ${width}, classes ${classes}`,
    });
  }
  const channels = BASE_CHANNELS.map((c) => Math.max(1, Math.round(c * width)));
  let cin = 1;
  const blocks = channels.map((cout, i): EncoderBlock => {
    const p = `${name}.blocks.${i}`;
    const block: EncoderBlock = {
      convT: new Conv2d(engine, `${p}.conv_t`, { inChannels: cin, outChannels: cout, kernel: [3, 1] }),
      bnT: new BatchNorm(engine, `${p}.bn_t`, cout, { relu: true }),
      convF: new Conv2d(engine, `${p}.conv_f`, { inChannels: cout, outChannels: cout, kernel: [1, 3] }),
      bnF: new BatchNorm(engine, `${p}.bn_f`, cout, { relu: true, pool: i < channels.length - 1 ? 2 : 1 }),
    };
    cin = cout;
    return block;
  });
  const head = new Dense(engine, `${name}.head`, cin, classes);
  return new ReferenceEncoder(engine, blocks, new GlobalMaxPool(engine, `${name}.global_pool`), head);
}
