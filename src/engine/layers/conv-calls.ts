import type { Engine } from '../engine.js';
import { expectShape, type Tensor } from '../tensor.js';
import { convGeometry, type ConvGeometry } from './conv-geometry.js';
import { accumulate } from './layer.js';

/**
 * The three convolution passes over engine tensors, shared by Conv2d and Dense (a 1×1 conv over
 * one-pixel images), and the choice of forward kernel for a geometry: one input channel, 3-tap
 * Winograd, or the implicit-GEMM tiles (pooled or not). In training, weights are packed into scratch
 * on every call: packing costs O(K·N), small next to the O(M·K·N) product, and the weights change
 * every step anyway; a frozen inference layer passes weights it packed once.
 */

/** The gradient at the pre-activation output of a conv or dense layer: dy itself, or masked by a fused ReLU. */
export function preActivationGrad(engine: Engine, y: Tensor, dy: Tensor, relu: boolean): Tensor {
  if (!relu) return dy;
  const dz = engine.tensor(dy.shape);
  engine.kernels.relu_backward(y.ptr, dy.ptr, dz.ptr, dy.size);
  return dz;
}

/**
 * w [kh, kw, C, N] packed for the direct kernels, into scratch, or into persistent memory for a layer
 * whose weights never change (inference).
 */
export function packConvWeights(engine: Engine, w: Tensor, g: ConvGeometry, N: number, keep = false): Tensor {
  const K = g.kh * g.kw * g.C;
  const shape = [Math.ceil(N / 8) * 8 * K];
  const packed = keep ? engine.persistentTensor(shape, 'packed conv weights') : engine.tensor(shape);
  engine.kernels.conv_pack_weights(w.ptr, packed.ptr, K, N);
  return packed;
}

/**
 * w [3, C, N] (3 taps along the Winograd axis) transformed and packed for convForwardWinograd with
 * output tile `tile` (see winogradTile).
 */
export function packWinogradWeights(
  engine: Engine,
  w: Tensor,
  C: number,
  N: number,
  tile: number,
  keep = false,
): Tensor {
  const shape = [(tile + 2) * Math.ceil(N / 8) * 8 * C];
  const packed = keep ? engine.persistentTensor(shape, 'Winograd weights') : engine.tensor(shape);
  engine.kernels.wino_pack_weights(w.ptr, packed.ptr, C, N, tile);
  return packed;
}

/**
 * y [B, OH, OW, N] = act(conv(x, w) + bias); with `pool2` (inference) the 2×2 max-pool after it runs
 * in the same pass, y [B, floor(OH/2), floor(OW/2), N], and the full-resolution output is never written.
 * `packed`: w from packConvWeights, when the caller keeps it; packed here otherwise.
 */
export function convForward(
  engine: Engine,
  x: Tensor,
  w: Tensor,
  bias: Tensor | undefined,
  g: ConvGeometry,
  N: number,
  relu: boolean,
  pool2 = false,
  packed?: Tensor,
): Tensor {
  const k = engine.kernels;
  if (g.C === 1 && !pool2) {
    const y = engine.tensor([g.B, g.OH, g.OW, N]);
    k.conv2d_forward_c1(
      x.ptr, w.ptr, bias?.ptr ?? 0, y.ptr,
      g.B, g.H, g.W, g.OH, g.OW, N, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, relu ? 1 : 0,
    ); // prettier-ignore
    return y;
  }
  const wp = packed ?? packConvWeights(engine, w, g, N);
  const y = pool2
    ? engine.tensor([g.B, Math.floor(g.OH / 2), Math.floor(g.OW / 2), N])
    : engine.tensor([g.B, g.OH, g.OW, N]);
  (pool2 ? k.conv2d_forward_pool2 : k.conv2d_forward)(
    x.ptr, wp.ptr, bias?.ptr ?? 0, y.ptr,
    g.B, g.H, g.W, g.C, g.OH, g.OW, N, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl,
    relu ? 1 : 0, engine.zeroRow(g.C),
  ); // prettier-ignore
  return y;
}

/**
 * A 1×kw stride-1 'same' conv over a width W of at most 2, as a 1×1 conv over rows: each image row's
 * W·C values (contiguous in NHWC) are one pixel, and the weights a [W·C, W·N] matrix holding tap
 * t = j − o + pl where input column j meets output column o, zeros elsewhere. The taps that fall in
 * the padding are then skipped: at W = 2 and kw = 3, 4 C·N products per row instead of 6 (the last
 * block of the reference encoder sees 3×2 inputs).
 */
export function rowsAsPixels(g: ConvGeometry, pool2: boolean): boolean {
  return g.kh === 1 && g.sh === 1 && g.sw === 1 && g.OH === g.H && g.OW === g.W && g.W <= 2 && !pool2;
}

/** The [1, 1, W·C, W·N] weights and the bias tiled W times, for rowsAsPixels. */
export function rowWeights(
  w: Float32Array,
  bias: Float32Array | undefined,
  g: ConvGeometry,
  N: number,
): { w: Float32Array; bias: Float32Array | undefined } {
  const { W, C, kw, pl } = g;
  const out = new Float32Array(W * C * W * N);
  for (let j = 0; j < W; j++) {
    for (let o = 0; o < W; o++) {
      const t = j - o + pl;
      if (t < 0 || t >= kw) continue;
      for (let c = 0; c < C; c++) {
        const src = (t * C + c) * N;
        out.set(w.subarray(src, src + N), (j * C + c) * W * N + o * N);
      }
    }
  }
  const tiled = bias && Float32Array.from({ length: W * N }, (_, i) => bias[i % N]);
  return { w: out, bias: tiled };
}

/**
 * A frozen 1×3 'same' conv over width 2 (the last block of the reference encoder sees 3×2 inputs)
 * runs as Winograd F(2,2) (wasm/winograd.ts): 3 C·N products per row instead of the 4 of the row
 * GEMM, as three GEMMs over rows, m = (x0 + x1)·w1, a = x1·(w2 − w1), b = x0·(w0 − w1), then
 * y0 = act(m + a), y1 = act(m + b).
 */
export function pairWinograd(g: ConvGeometry, pool2: boolean): boolean {
  return (
    g.kh === 1 && g.kw === 3 && g.pl === 1 && g.sh === 1 && g.sw === 1 && g.W === 2 && g.OW === 2 && !pool2
  );
}

/** The three [C, N] weights of convForwardPair, w1, w2 − w1, w0 − w1 (w [1, 3, C, N]), and packed. */
export interface PairWeights {
  w1: PackedWeights;
  d2: PackedWeights;
  d0: PackedWeights;
}

interface PackedWeights {
  w: Tensor;
  packed: Tensor;
}

export function packPairWeights(
  engine: Engine,
  w: Float32Array,
  C: number,
  N: number,
  name: string,
): PairWeights {
  // Copies: allocating the packed tensors may grow memory and detach `w`.
  const tap = (t: number): Float32Array => w.slice(t * C * N, (t + 1) * C * N);
  const [w0, w1, w2] = [tap(0), tap(1), tap(2)];
  const g1 = convGeometry([1, 1, 1, C], [1, 1], [1, 1], 'valid', name);
  const pack = (values: Float32Array): PackedWeights => {
    const t = engine.persistentTensor([1, 1, C, N], `${name}.pair`);
    t.data().set(values);
    return { w: t, packed: packConvWeights(engine, t, g1, N, true) };
  };
  return {
    w1: pack(w1),
    d2: pack(w2.map((v, i) => v - w1[i])),
    d0: pack(w0.map((v, i) => v - w1[i])),
  };
}

/** y [B, H, 2, N] = act(conv(x, w) + bias) by F(2,2), for pairWinograd geometries. */
export function convForwardPair(
  engine: Engine,
  x: Tensor,
  packed: PairWeights,
  bias: Tensor | undefined,
  g: ConvGeometry,
  N: number,
  relu: boolean,
): Tensor {
  const k = engine.kernels;
  const rows = g.B * g.H;
  const [s, x0, x1] = [0, 1, 2].map(() => engine.tensor([rows, 1, 1, g.C]));
  k.wino2_split(x.ptr, s.ptr, x0.ptr, x1.ptr, rows, g.C);
  const g1 = convGeometry(s.shape, [1, 1], [1, 1], 'valid', 'F(2,2) product');
  const gemm = (a: Tensor, w: PackedWeights, b: Tensor | undefined): Tensor =>
    convForward(engine, a, w.w, b, g1, N, false, false, w.packed);
  const m = gemm(s, packed.w1, bias);
  const a = gemm(x1, packed.d2, undefined);
  const b = gemm(x0, packed.d0, undefined);
  const y = engine.tensor([g.B, g.H, 2, N]);
  k.wino2_join(m.ptr, a.ptr, b.ptr, y.ptr, rows, N, relu ? 1 : 0);
  return y;
}

/**
 * Below this many input or output channels the transforms cost more than the multiplies they save
 * (measured: at 8 channels Winograd is 10–25 % slower than the direct kernel, at 16 it is 15–20 %
 * faster once the runtime's sub-batched first blocks keep its input in cache).
 */
const WINOGRAD_MIN_CHANNELS = 16;

/**
 * V and M of one Winograd chunk together stay within this many bytes (an eighth of a 1 MiB L2, which
 * also holds the layer's packed weights: 4–6 % faster than 256 KiB on the 128- and 256-channel
 * layers, the same elsewhere, measured).
 */
const WINOGRAD_CHUNK_BYTES = 128 * 1024;

/** Floats between the kernel's ξ slices of V and M: wasm/winograd.ts's SLICE_PAD (256 bytes). */
const WINOGRAD_SLICE_PAD = 64;

/**
 * The axis along which Winograd F(4,3) computes this conv (0: H for 3×1, 1: W for 1×3), or -1 when
 * it does not apply: it needs a 3-tap kernel along one axis, stride 1, 'same' padding, at least 3
 * outputs along that axis (fewer would pay 6 multiplies for at most 2 outputs) and, with a fused
 * pool, the 1×3 orientation over a width divisible by 4.
 */
export function winogradAxis(g: ConvGeometry, N: number, pool2: boolean): number {
  if (g.sh !== 1 || g.sw !== 1 || g.OH !== g.H || g.OW !== g.W) return -1;
  if (g.C < WINOGRAD_MIN_CHANNELS || N < WINOGRAD_MIN_CHANNELS) return -1;
  if (g.kh === 3 && g.kw === 1 && g.H >= 3 && !pool2) return 0;
  if (g.kh === 1 && g.kw === 3 && g.W >= 3 && (!pool2 || g.W % 4 === 0)) return 1;
  return -1;
}

/**
 * Output tile of the Winograd conv along `along`: 4 (F(4,3), 6 multiplies per 4 outputs), or for a
 * 3×1 conv 6 (F(6,3), 8 per 6) or 3 (F(3,3), 5 per 3) where that covers its height with fewer
 * multiplies, counting the partial last tile (6 at heights 5, 6, 12, 24; 3 at heights 3, 9).
 */
export function winogradTile(g: ConvGeometry, along: number): number {
  if (along !== 0) return 4;
  const cost = (t: number): number => Math.ceil(g.H / t) * (t + 2);
  return [4, 6, 3].reduce((best, t) => (cost(t) < cost(best) ? t : best));
}

/**
 * Inference: y = act(conv(x, w) + bias), max-pooled 2×2 when pool2, by Winograd with output tile
 * `tile` (winogradTile: F(4,3), F(6,3) or F(3,3)). `packed`: w from packWinogradWeights with that
 * tile, when the caller keeps it.
 */
export function convForwardWinograd(
  engine: Engine,
  x: Tensor,
  w: Tensor,
  bias: Tensor | undefined,
  g: ConvGeometry,
  N: number,
  relu: boolean,
  pool2: boolean,
  along: number,
  tile: number,
  packed?: Tensor,
): Tensor {
  const k = engine.kernels;
  const alpha = tile + 2;
  const Np = Math.ceil(N / 8) * 8;
  const tilesInRow = along ? Math.ceil(g.W / 4) : g.W;
  const rowsPerImage = along ? (pool2 ? g.H & ~1 : g.H) : Math.ceil(g.H / tile);
  const unit = pool2 ? 2 : 1;
  const fit = Math.floor(WINOGRAD_CHUNK_BYTES / (4 * alpha * tilesInRow * (g.C + Np)));
  const chunkRows = Math.min(Math.max(unit, fit - (fit % unit)), g.B * rowsPerImage + (unit - 1));
  const P = chunkRows * tilesInRow;
  const up = packed ?? packWinogradWeights(engine, w, g.C, N, tile);
  const v = engine.tensor([alpha * (P * g.C + WINOGRAD_SLICE_PAD) + 4 * g.C]);
  const m = engine.tensor([alpha * (P * Np + WINOGRAD_SLICE_PAD)]);
  const shape = pool2 ? [g.B, Math.floor(g.H / 2), g.W / 2, N] : [g.B, g.H, g.W, N];
  const y = engine.tensor(shape);
  k.conv2d_forward_winograd(
    x.ptr, up.ptr, bias?.ptr ?? 0, y.ptr, v.ptr, m.ptr,
    g.B, g.H, g.W, g.C, N, along, relu ? 1 : 0, pool2 ? 1 : 0, chunkRows, tile,
  ); // prettier-ignore
  return y;
}

/** dw += ∂/∂w and db += ∂/∂b of Σ dy·conv(x, w, b) (dy at the pre-activation output). */
export function convBackwardParams(
  engine: Engine,
  x: Tensor,
  dy: Tensor,
  dw: Tensor,
  db: Float32Array | undefined,
  g: ConvGeometry,
  N: number,
): void {
  const k = engine.kernels;
  k.conv2d_backward_filter(
    x.ptr, dy.ptr, dw.ptr,
    g.B, g.H, g.W, g.C, g.OH, g.OW, N, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, engine.zeroRow(g.C),
  ); // prettier-ignore
  if (db) {
    const ws = engine.scratch64(N);
    engine.view64(ws, N).fill(0);
    k.channel_sum(dy.ptr, g.B * g.OH * g.OW, N, ws);
    accumulate(db, engine.view64(ws, N));
  }
}

/** dx [B, H, W, C] = ∂/∂x of Σ dy·conv(x, w), written into `into` when given. */
export function convBackwardData(
  engine: Engine,
  dy: Tensor,
  w: Tensor,
  g: ConvGeometry,
  N: number,
  into?: Tensor,
): Tensor {
  const k = engine.kernels;
  const T = g.kh * g.kw;
  const packed = engine.tensor([Math.ceil(g.C / 8) * 8 * T * N]);
  k.conv_pack_weights_transposed(w.ptr, packed.ptr, T, g.C, N);
  const dx = into ?? engine.tensor([g.B, g.H, g.W, g.C]);
  if (into) expectShape(into, [g.B, g.H, g.W, g.C], 'input gradient buffer');
  k.conv2d_backward_data(
    dy.ptr, packed.ptr, dx.ptr,
    g.B, g.H, g.W, g.C, g.OH, g.OW, N, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, engine.zeroRow(N),
  ); // prettier-ignore
  return dx;
}
