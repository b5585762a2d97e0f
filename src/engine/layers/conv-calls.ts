import type { Engine } from '../engine.js';
import type { Tensor } from '../tensor.js';
import type { ConvGeometry } from './conv-geometry.js';
import { accumulate } from './layer.js';

/**
 * The three convolution passes over engine tensors, shared by Conv2d and Dense (a 1×1 conv over
 * one-pixel images). Weights are packed into scratch on every call: packing costs O(K·N), small next
 * to the O(M·K·N) product, and the weights change every training step anyway.
 */

/** y [B, OH, OW, N] = act(conv(x, w) + bias). */
export function convForward(
  engine: Engine,
  x: Tensor,
  w: Tensor,
  bias: Tensor | undefined,
  g: ConvGeometry,
  N: number,
  relu: boolean,
): Tensor {
  const k = engine.kernels;
  const K = g.kh * g.kw * g.C;
  const packed = engine.tensor([Math.ceil(N / 8) * 8 * K]);
  k.conv_pack_weights(w.ptr, packed.ptr, K, N);
  const y = engine.tensor([g.B, g.OH, g.OW, N]);
  k.conv2d_forward(
    x.ptr, packed.ptr, bias?.ptr ?? 0, y.ptr,
    g.B, g.H, g.W, g.C, g.OH, g.OW, N, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl,
    relu ? 1 : 0, engine.zeroRow(g.C),
  ); // prettier-ignore
  return y;
}

/** Inference: y [B, floor(OH/2), floor(OW/2), N] = maxpool2x2(act(conv(x, w) + bias)) in one pass. */
export function convForwardPool2(
  engine: Engine,
  x: Tensor,
  w: Tensor,
  bias: Tensor | undefined,
  g: ConvGeometry,
  N: number,
  relu: boolean,
): Tensor {
  const k = engine.kernels;
  const K = g.kh * g.kw * g.C;
  const packed = engine.tensor([Math.ceil(N / 8) * 8 * K]);
  k.conv_pack_weights(w.ptr, packed.ptr, K, N);
  const y = engine.tensor([g.B, Math.floor(g.OH / 2), Math.floor(g.OW / 2), N]);
  k.conv2d_forward_pool2(
    x.ptr, packed.ptr, bias?.ptr ?? 0, y.ptr,
    g.B, g.H, g.W, g.C, g.OH, g.OW, N, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl,
    relu ? 1 : 0, engine.zeroRow(g.C),
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

/** dx [B, H, W, C] = ∂/∂x of Σ dy·conv(x, w). */
export function convBackwardData(engine: Engine, dy: Tensor, w: Tensor, g: ConvGeometry, N: number): Tensor {
  const k = engine.kernels;
  const T = g.kh * g.kw;
  const packed = engine.tensor([Math.ceil(g.C / 8) * 8 * T * N]);
  k.conv_pack_weights_transposed(w.ptr, packed.ptr, T, g.C, N);
  const dx = engine.tensor([g.B, g.H, g.W, g.C]);
  k.conv2d_backward_data(
    dy.ptr, packed.ptr, dx.ptr,
    g.B, g.H, g.W, g.C, g.OH, g.OW, N, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, engine.zeroRow(N),
  ); // prettier-ignore
  return dx;
}
