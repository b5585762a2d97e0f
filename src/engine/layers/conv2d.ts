import { MtaError } from '../../common/index.js';
import type { Engine, Parameter } from '../engine.js';
import { heNormal, zeros, type Init } from '../init.js';
import { expectShape, type Tensor } from '../tensor.js';
import { convGeometry, pair, type ConvGeometry, type Padding } from './conv-geometry.js';
import {
  convBackwardData,
  convBackwardParams,
  convForward,
  convForwardPair,
  preActivationGrad,
  convForwardWinograd,
  packConvWeights,
  packPairWeights,
  packWinogradWeights,
  pairWinograd,
  rowsAsPixels,
  type PairWeights,
  rowWeights,
  winogradAxis,
  winogradTile,
} from './conv-calls.js';
import { savedState, type Layer, type Mode } from './layer.js';

/**
 * 2-D convolution, NHWC. Shapes: x [B, H, W, C], weight [kh, kw, C, N], bias [N], y [B, OH, OW, N].
 * The optional fused ReLU (activation: 'relu') is what BatchNorm.fold produces for inference: the
 * whole conv + folded BN + ReLU is then one kernel call.
 * Kernels: wasm/conv.ts (implicit GEMM); reference: reference/conv2d.ts.
 */
export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: Padding;
  bias?: boolean;
  activation?: 'none' | 'relu';
  /** Weight initialiser; default He normal over the fan-in kh·kw·C. */
  init?: Init;
  /** Bias initialiser; default zeros. */
  biasInit?: Init;
  /**
   * Inference only: max-pool 2×2 (stride 2) after the activation inside the conv kernel, so the
   * full-resolution output is never written. Such a layer has no backward.
   */
  pool2?: boolean;
  /**
   * Inference: compute 3×1 and 1×3 convolutions with Winograd F(4,3) (half the multiplies) where it
   * applies (see winogradAxis); float32 results then differ from the direct conv by ~1e-6 relative.
   */
  winograd?: boolean;
  /**
   * Inference: the weights never change after construction, so they are packed once, on first use,
   * into persistent memory instead of into scratch on every call (which dominates at batch 1).
   */
  frozen?: boolean;
}

interface Saved {
  x: Tensor;
  y: Tensor;
  g: ConvGeometry;
}

export class Conv2d implements Layer {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding;
  readonly relu: boolean;
  readonly pool2: boolean;
  readonly winograd: boolean;
  readonly frozen: boolean;
  readonly inChannels: number;
  readonly outChannels: number;
  private saved: Saved | undefined;
  /** With `frozen`: the packed weights of the direct and the Winograd kernels, once packed. */
  private packed: { direct?: Tensor; winograd: Record<number, Tensor | undefined> } = { winograd: {} };
  /** With `frozen`: the weights of the F(2,2) path (see pairWinograd), once packed. */
  private pairWeights: PairWeights | undefined;
  /** With `frozen`: per input width, the layer as a 1×1 conv over rows (see rowsAsPixels). */
  private rowConvs = new Map<number, { w: Tensor; bias: Tensor | undefined; packed: Tensor }>();

  constructor(
    private readonly engine: Engine,
    readonly name: string,
    opts: Conv2dOptions,
  ) {
    this.kernel = pair(opts.kernel, `${name}.kernel`);
    this.stride = pair(opts.stride ?? 1, `${name}.stride`);
    [this.inChannels, this.outChannels] = pair([opts.inChannels, opts.outChannels], `${name}.channels`);
    this.padding = opts.padding ?? 'same';
    this.relu = opts.activation === 'relu';
    this.pool2 = opts.pool2 ?? false;
    this.winograd = opts.winograd ?? false;
    this.frozen = opts.frozen ?? false;
    const taps = this.kernel[0] * this.kernel[1];
    if (taps > engine.kernels.conv_max_taps()) {
      throw new MtaError('LIMIT_EXCEEDED', 'convolution kernel too large', {
        subject: `${name}.kernel`,
        expected: `at most ${engine.kernels.conv_max_taps()} taps`,
        actual: `${this.kernel[0]}×${this.kernel[1]}`,
      });
    }
    const fanIn = taps * this.inChannels;
    this.weight = engine.param(
      `${name}.weight`,
      [...this.kernel, this.inChannels, this.outChannels],
      opts.init ?? heNormal(fanIn),
      { decay: true },
    );
    this.bias = opts.bias
      ? engine.param(`${name}.bias`, [this.outChannels], opts.biasInit ?? zeros)
      : undefined;
  }

  params(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  private geometry(shape: readonly number[]): ConvGeometry {
    const g = convGeometry(shape, this.kernel, this.stride, this.padding, this.name);
    if (g.C !== this.inChannels) {
      throw new MtaError('BAD_ARGUMENT', 'input channels do not match the layer', {
        subject: this.name,
        expected: `${this.inChannels} channels`,
        actual: `[${shape.join(', ')}]`,
      });
    }
    return g;
  }

  private rowConv(g: ConvGeometry): { w: Tensor; bias: Tensor | undefined; packed: Tensor } {
    let r = this.rowConvs.get(g.W);
    if (r === undefined) {
      const { engine } = this;
      const values = rowWeights(this.weight.value(), this.bias?.value(), g, this.outChannels);
      const w = engine.persistentTensor([1, 1, g.W * g.C, g.W * this.outChannels], `${this.name}.rows`);
      w.data().set(values.w);
      const bias = values.bias && engine.persistentTensor([values.bias.length], `${this.name}.rows.bias`);
      bias?.data().set(values.bias!);
      const g1 = convGeometry([g.B, g.H, 1, g.W * g.C], [1, 1], [1, 1], 'valid', this.name);
      r = { w, bias, packed: packConvWeights(engine, w, g1, g.W * this.outChannels, true) };
      this.rowConvs.set(g.W, r);
    }
    return r;
  }

  forward(x: Tensor, _mode: Mode = 'eval'): Tensor {
    const g = this.geometry(x.shape);
    const { engine, outChannels: N, relu, pool2, frozen, packed } = this;
    const w = this.weight.valueTensor;
    const bias = this.bias?.valueTensor;
    const along = this.winograd ? winogradAxis(g, N, pool2) : -1;
    let y: Tensor;
    if (frozen && this.winograd && pairWinograd(g, pool2)) {
      this.pairWeights ??= packPairWeights(engine, this.weight.value(), g.C, N, this.name);
      y = convForwardPair(engine, x, this.pairWeights, bias, g, N, relu);
    } else if (frozen && along < 0 && rowsAsPixels(g, pool2)) {
      const r = this.rowConv(g);
      const xr = x.reshape([g.B, g.H, 1, g.W * g.C]);
      const g1 = convGeometry(xr.shape, [1, 1], [1, 1], 'valid', this.name);
      y = convForward(engine, xr, r.w, r.bias, g1, g.W * N, relu, false, r.packed).reshape([
        g.B,
        g.H,
        g.W,
        N,
      ]);
    } else if (along >= 0) {
      const tile = winogradTile(g, along);
      if (frozen) packed.winograd[tile] ??= packWinogradWeights(engine, w, g.C, N, tile, true);
      y = convForwardWinograd(engine, x, w, bias, g, N, relu, pool2, along, tile, packed.winograd[tile]);
    } else {
      if (frozen) packed.direct ??= packConvWeights(engine, w, g, N, true);
      y = convForward(engine, x, w, bias, g, N, relu, pool2, packed.direct);
    }
    this.saved = pool2 ? undefined : { x, y, g };
    return y;
  }

  /**
   * Inference: this conv and `next` in one pass over row pairs (wasm conv_block_c1_pool2), where
   * this one reads one channel with a kt×1 kernel (kt ≤ 3) and `next` is the 1×kw conv with the fused
   * 2×2 pool after it, both frozen, stride 1, 'same' and with the same activation: the first block of
   * a network. Undefined where that does not apply.
   */
  forwardFused(next: Conv2d, x: Tensor): Tensor | undefined {
    const [kt, k1] = this.kernel;
    const [k0, kw] = next.kernel;
    const fits =
      this.frozen && next.frozen && next.pool2 && !this.pool2 && this.relu === next.relu &&
      this.inChannels === 1 && next.inChannels === this.outChannels && k1 === 1 && kt <= 3 && k0 === 1 &&
      [this.stride, next.stride].every(([a, b]) => a === 1 && b === 1) &&
      this.padding === 'same' && next.padding === 'same' &&
      x.shape.length === 4 && x.shape[3] === 1 && x.shape[1] >= 2 && x.shape[2] >= 2; // prettier-ignore
    if (!fits) return undefined;
    const [B, H, W] = x.shape;
    const { engine } = this;
    const N1 = this.outChannels;
    const N2 = next.outChannels;
    const g2 = convGeometry([B, H, W, N1], next.kernel, next.stride, next.padding, next.name);
    next.packed.direct ??= packConvWeights(engine, next.weight.valueTensor, g2, N2, true);
    const y = engine.tensor([B, H >> 1, W >> 1, N2]);
    const buf = engine.tensor([2 * (W + kw - 1) * N1 + 8]);
    engine.kernels.conv_block_c1_pool2(
      x.ptr, this.weight.valueTensor.ptr, this.bias?.valueTensor.ptr ?? 0, next.packed.direct.ptr,
      next.bias?.valueTensor.ptr ?? 0, y.ptr, buf.ptr, B, H, W, kt, N1, kw, N2, this.relu ? 1 : 0,
    ); // prettier-ignore
    return y;
  }

  /** `into`: a tensor of the input's shape to write the input gradient in (default: a new one). */
  backward(dy: Tensor, into?: Tensor): Tensor {
    const { g } = savedState(this.saved, this.name);
    const dz = this.backwardParams(dy);
    return convBackwardData(this.engine, dz, this.weight.valueTensor, g, this.outChannels, into);
  }

  /**
   * Accumulates the weight and bias gradients only (for a first layer, whose input needs no
   * gradient) and returns the gradient at the pre-activation output.
   */
  backwardParams(dy: Tensor): Tensor {
    if (this.pool2) {
      throw new MtaError('BAD_ARGUMENT', 'a convolution with a fused pool is inference-only: no backward', {
        subject: this.name,
      });
    }
    const { x, y, g } = savedState(this.saved, this.name);
    expectShape(dy, y.shape, `${this.name} output gradient`);
    const dz = preActivationGrad(this.engine, y, dy, this.relu);
    convBackwardParams(this.engine, x, dz, this.weight.gradTensor, this.bias?.grad(), g, this.outChannels);
    return dz;
  }
}
