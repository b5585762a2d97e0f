/** Float64 references of the element-wise and per-channel ops (last axis = channels, C of them). */

export function reluForward(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => Math.max(v, 0));
}

export function reluBackward(x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  return Float64Array.from(dy, (d, i) => (x[i] > 0 ? d : 0));
}

export function channelScaleForward(x: ArrayLike<number>, s: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => v * s[i % s.length]);
}

export function channelScaleBackward(
  x: ArrayLike<number>,
  s: ArrayLike<number>,
  dy: ArrayLike<number>,
): { dx: Float64Array; ds: Float64Array } {
  const C = s.length;
  const ds = new Float64Array(C);
  for (let i = 0; i < x.length; i++) ds[i % C] += dy[i] * x[i];
  return { dx: Float64Array.from(dy, (d, i) => d * s[i % C]), ds };
}

/** Concatenates [M, C_i] parts along channels. */
export function concatChannels(
  parts: readonly ArrayLike<number>[],
  channels: readonly number[],
): Float64Array {
  const total = channels.reduce((a, b) => a + b, 0);
  const M = parts[0].length / channels[0];
  const y = new Float64Array(M * total);
  let off = 0;
  parts.forEach((p, k) => {
    for (let m = 0; m < M; m++)
      for (let c = 0; c < channels[k]; c++) y[m * total + off + c] = p[m * channels[k] + c];
    off += channels[k];
  });
  return y;
}

/** y [B, out] = x [B, in] · w [in, out] + b. */
export function denseForward(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number> | undefined,
  inF: number,
  outF: number,
): Float64Array {
  const B = x.length / inF;
  const y = new Float64Array(B * outF);
  for (let r = 0; r < B; r++)
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[i * outF + o];
      y[r * outF + o] = s;
    }
  return y;
}
