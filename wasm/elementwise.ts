// Element-wise and per-channel kernels.
//
// Legend: n elements; M rows (pixels) × C channels for per-channel kernels ([M, C] row-major).
// Per-channel reductions sum float32 vectors over chunks of ROWS rows and add the chunk sums to float64
// totals (f64 [C] at ws, accumulated: the caller zeroes ws when it wants a fresh sum).

import { loadLanes, storeLanes, storeN } from './lanes';

const ROWS: i32 = 256;

function addLanes(p: usize, v: v128, lanes: i32): void {
  store<f64>(p, load<f64>(p) + <f64>f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f64>(p, load<f64>(p, 8) + <f64>f32x4.extract_lane(v, 1), 8);
  if (lanes > 2) store<f64>(p, load<f64>(p, 16) + <f64>f32x4.extract_lane(v, 2), 16);
  if (lanes > 3) store<f64>(p, load<f64>(p, 24) + <f64>f32x4.extract_lane(v, 3), 24);
}

/** out = a + b. out may alias a or b. */
export function add_f32(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** out = a · b. out may alias a or b. */
export function mul_f32(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/** y = max(x, 0). y may alias x. */
export function relu_forward(x: usize, y: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(y + o, f32x4.max(v128.load(x + o), z));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(y + o, max<f32>(load<f32>(x + o), 0));
  }
}

/** dx = dy where y > 0, else 0 (the subgradient at 0 is 0). dx may alias dy. */
export function relu_backward(y: usize, dy: usize, dx: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), z)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

/** y[m, c] = x[m, c] · s[c]. y may alias x. */
export function channel_scale(x: usize, s: usize, y: usize, M: i32, C: i32): void {
  const ld_ = (<usize>C) << 2;
  let p: usize = 0;
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const o = (<usize>c) << 2;
      storeLanes(y + p + o, f32x4.mul(loadLanes(x + p + o, lanes), loadLanes(s + o, lanes)), lanes);
    }
    p += ld_;
  }
}

/** ws[c] += Σ_m a[m, c] (bias gradients). */
export function channel_sum(a: usize, M: i32, C: i32, ws: usize): void {
  const row = (<usize>C) << 2;
  for (let m0 = 0; m0 < M; m0 += ROWS) {
    const rows = min(ROWS, M - m0);
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      let p = a + <usize>m0 * row + ((<usize>c) << 2);
      let s = f32x4.splat(0);
      for (let r = 0; r < rows; r++) {
        s = f32x4.add(s, loadLanes(p, lanes));
        p += row;
      }
      addLanes(ws + ((<usize>c) << 3), s, lanes);
    }
  }
}

/** ws[c] += Σ_m a[m, c] · b[m, c] (per-channel scale gradients). */
export function channel_dot(a: usize, b: usize, M: i32, C: i32, ws: usize): void {
  const row = (<usize>C) << 2;
  for (let m0 = 0; m0 < M; m0 += ROWS) {
    const rows = min(ROWS, M - m0);
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      let p = <usize>m0 * row + ((<usize>c) << 2);
      let s = f32x4.splat(0);
      for (let r = 0; r < rows; r++) {
        s = f32x4.add(s, f32x4.mul(loadLanes(a + p, lanes), loadLanes(b + p, lanes)));
        p += row;
      }
      addLanes(ws + ((<usize>c) << 3), s, lanes);
    }
  }
}

/**
 * Copies `count` channels of every row: dst[m, dstOff + j] = src[m, srcOff + j], with rows of srcC
 * and dstC channels. Channel concat and split are this copy in one direction or the other.
 */
export function copy_channels(
  src: usize,
  srcC: i32,
  srcOff: i32,
  dst: usize,
  dstC: i32,
  dstOff: i32,
  M: i32,
  count: i32,
): void {
  const bytes = (<usize>count) << 2;
  let s = src + ((<usize>srcOff) << 2);
  let d = dst + ((<usize>dstOff) << 2);
  const sRow = (<usize>srcC) << 2;
  const dRow = (<usize>dstC) << 2;
  if (count >= 256) {
    for (let m = 0; m < M; m++) {
      memory.copy(d, s, bytes);
      s += sRow;
      d += dRow;
    }
    return;
  }
  // Rows under 1 KB (adapter channels, most encoder widths): memory.copy is a runtime call in V8,
  // costlier than such a copy itself.
  // Vectors, then the last 1–3 floats from one more vector load (reading past a row is allowed).
  const vecBytes = bytes & ~(<usize>15);
  const tail = count & 3;
  for (let m = 0; m < M; m++) {
    for (let o: usize = 0; o < vecBytes; o += 16) v128.store(d + o, v128.load(s + o));
    if (tail) storeN(d + vecBytes, v128.load(s + vecBytes), tail);
    s += sRow;
    d += dRow;
  }
}
