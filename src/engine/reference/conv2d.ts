import type { ConvGeometry } from '../layers/conv-geometry.js';

/**
 * Float64 reference of 2-D convolution, the executable spec for wasm/conv.ts. Plain loops, no
 * cleverness. Shapes as in layers/conv2d.ts: x [B, H, W, C], w [kh, kw, C, N], y [B, OH, OW, N].
 */

export function conv2dForward(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  g: ConvGeometry,
  N: number,
  relu = false,
): Float64Array {
  const { B, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl } = g;
  const y = new Float64Array(B * OH * OW * N);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let n = 0; n < N; n++) {
          let s = bias ? bias[n] : 0;
          for (let i = 0; i < kh; i++) {
            const ih = oh * sh - pt + i;
            if (ih < 0 || ih >= H) continue;
            for (let j = 0; j < kw; j++) {
              const iw = ow * sw - pl + j;
              if (iw < 0 || iw >= W) continue;
              for (let c = 0; c < C; c++)
                s += x[((b * H + ih) * W + iw) * C + c] * w[((i * kw + j) * C + c) * N + n];
            }
          }
          y[((b * OH + oh) * OW + ow) * N + n] = relu ? Math.max(s, 0) : s;
        }
  return y;
}

/** Gradients of sum(dy · conv(x, w) + bias) for a conv without activation: dx, dw, db. */
export function conv2dBackward(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dy: ArrayLike<number>,
  g: ConvGeometry,
  N: number,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const { B, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl } = g;
  const dx = new Float64Array(B * H * W * C);
  const dw = new Float64Array(kh * kw * C * N);
  const db = new Float64Array(N);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let n = 0; n < N; n++) {
          const d = dy[((b * OH + oh) * OW + ow) * N + n];
          db[n] += d;
          for (let i = 0; i < kh; i++) {
            const ih = oh * sh - pt + i;
            if (ih < 0 || ih >= H) continue;
            for (let j = 0; j < kw; j++) {
              const iw = ow * sw - pl + j;
              if (iw < 0 || iw >= W) continue;
              for (let c = 0; c < C; c++) {
                const xi = ((b * H + ih) * W + iw) * C + c;
                const wi = ((i * kw + j) * C + c) * N + n;
                dx[xi] += d * w[wi];
                dw[wi] += d * x[xi];
              }
            }
          }
        }
  return { dx, dw, db };
}
