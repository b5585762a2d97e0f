/**
 * Float64 references of pooling, the executable spec for wasm/pool.ts. NHWC; windows in floor mode.
 * Backward of max routes each gradient to the first maximum of its window in scan order.
 */

export function maxPoolForward(
  x: ArrayLike<number>,
  [B, H, W, C]: readonly number[],
  [kh, kw]: readonly [number, number],
  [sh, sw]: readonly [number, number],
): { y: Float64Array; argmax: Int32Array; shape: number[] } {
  const OH = Math.floor((H - kh) / sh) + 1;
  const OW = Math.floor((W - kw) / sw) + 1;
  const y = new Float64Array(B * OH * OW * C);
  const argmax = new Int32Array(y.length);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const idx = ((b * H + oh * sh + i) * W + ow * sw + j) * C + c;
              if (x[idx] > best) [best, at] = [x[idx], idx];
            }
          const o = ((b * OH + oh) * OW + ow) * C + c;
          y[o] = best;
          argmax[o] = at;
        }
  return { y, argmax, shape: [B, OH, OW, C] };
}

export function maxPoolBackward(argmax: Int32Array, dy: ArrayLike<number>, inputSize: number): Float64Array {
  const dx = new Float64Array(inputSize);
  for (let o = 0; o < argmax.length; o++) dx[argmax[o]] += dy[o];
  return dx;
}

/** [B, H, W, C] → [B, C]: max or mean over the H·W positions. */
export function globalPoolForward(
  x: ArrayLike<number>,
  [B, H, W, C]: readonly number[],
  kind: 'max' | 'avg',
): Float64Array {
  const P = H * W;
  const y = new Float64Array(B * C).fill(kind === 'max' ? -Infinity : 0);
  for (let b = 0; b < B; b++)
    for (let p = 0; p < P; p++)
      for (let c = 0; c < C; c++) {
        const v = x[(b * P + p) * C + c];
        y[b * C + c] = kind === 'max' ? Math.max(y[b * C + c], v) : y[b * C + c] + v / P;
      }
  return y;
}

export function globalPoolBackward(
  x: ArrayLike<number>,
  [B, H, W, C]: readonly number[],
  kind: 'max' | 'avg',
  dy: ArrayLike<number>,
): Float64Array {
  const P = H * W;
  const dx = new Float64Array(x.length);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) {
      if (kind === 'avg') {
        for (let p = 0; p < P; p++) dx[(b * P + p) * C + c] = dy[b * C + c] / P;
        continue;
      }
      let at = b * P * C + c;
      for (let p = 1; p < P; p++) if (x[(b * P + p) * C + c] > x[at]) at = (b * P + p) * C + c;
      dx[at] = dy[b * C + c];
    }
  return dx;
}
