// Batch normalisation over NHWC rows, optionally fused with the ReLU that follows it.
//
// Legend: M rows (B·H·W pixels), C channels; x, y, dy, dx [M, C]; per-channel vectors [C].
// The forward pass is y = act(x·scale + shift) with scale = γ/σ and shift = β − μ·γ/σ computed in JS;
// the same kernel serves training (batch statistics) and inference (running statistics).
// Reductions sum float32 vectors over chunks of ROWS rows and combine the chunks in float64 (Chan et
// al.'s pairwise update for the variance), so batches of 400k rows lose no precision. Channel counts
// that are not a multiple of 4 finish with a partial vector.

import { loadLanes, loadN, storeN } from './lanes';

const ROWS: i32 = 256;

function affine(v: v128, s: v128, t: v128, relu: bool): v128 {
  const u = f32x4.add(f32x4.mul(v, s), t);
  return relu ? f32x4.max(u, f32x4.splat(0)) : u;
}

/** The gradient that reaches the normalisation: dy, masked by the ReLU (recomputed from x) when fused. */
function gated(g: v128, v: v128, s: v128, t: v128, relu: bool): v128 {
  return relu ? v128.and(g, f32x4.gt(f32x4.add(f32x4.mul(v, s), t), f32x4.splat(0))) : g;
}

/** Folds one lane's chunk (count nb, mean mb, sum of squared deviations qb) into the f64 totals at ws. */
function mergeLane(ws: usize, C: i32, c: i32, n: f64, nb: f64, mb: f32, qb: f32): void {
  const pm = ws + ((<usize>c) << 3);
  const pq = pm + ((<usize>C) << 3);
  const ma = load<f64>(pm);
  const delta = <f64>mb - ma;
  const total = n + nb;
  store<f64>(pm, ma + (delta * nb) / total);
  store<f64>(pq, load<f64>(pq) + <f64>qb + (delta * delta * n * nb) / total);
}

function mergeVector(ws: usize, C: i32, c: i32, lanes: i32, n: f64, nb: f64, mb: v128, qb: v128): void {
  mergeLane(ws, C, c, n, nb, f32x4.extract_lane(mb, 0), f32x4.extract_lane(qb, 0));
  if (lanes > 1) mergeLane(ws, C, c + 1, n, nb, f32x4.extract_lane(mb, 1), f32x4.extract_lane(qb, 1));
  if (lanes > 2) mergeLane(ws, C, c + 2, n, nb, f32x4.extract_lane(mb, 2), f32x4.extract_lane(qb, 2));
  if (lanes > 3) mergeLane(ws, C, c + 3, n, nb, f32x4.extract_lane(mb, 3), f32x4.extract_lane(qb, 3));
}

/**
 * Per-channel mean and biased variance of x [M, C], as f64 at ws [2][C] (means, then variances).
 */
export function bn_moments(x: usize, M: i32, C: i32, ws: usize): void {
  memory.fill(ws, 0, (<usize>C) << 4);
  const ld = (<usize>C) << 2;
  let n: f64 = 0;
  for (let m0 = 0; m0 < M; m0 += ROWS) {
    const rows = min(ROWS, M - m0);
    const nb = <f64>rows;
    const inv = f32x4.splat(<f32>(1.0 / nb));
    const base = x + <usize>m0 * ld;
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      let p = base + ((<usize>c) << 2);
      let s = f32x4.splat(0);
      for (let r = 0; r < rows; r++) {
        s = f32x4.add(s, loadLanes(p, lanes));
        p += ld;
      }
      const mb = f32x4.mul(s, inv);
      p = base + ((<usize>c) << 2);
      let q = f32x4.splat(0);
      for (let r = 0; r < rows; r++) {
        const d = f32x4.sub(loadLanes(p, lanes), mb);
        q = f32x4.add(q, f32x4.mul(d, d));
        p += ld;
      }
      mergeVector(ws, C, c, lanes, n, nb, mb, q);
    }
    n += nb;
  }
  for (let c = C; c < 2 * C; c++) {
    const p = ws + ((<usize>c) << 3);
    store<f64>(p, load<f64>(p) / n);
  }
}

/** y = x·scale + shift per channel, then ReLU if relu != 0. y may alias x. */
export function bn_apply(x: usize, y: usize, M: i32, C: i32, scale: usize, shift: usize, relu: i32): void {
  const r = relu != 0;
  const ld = (<usize>C) << 2;
  const full = C & ~3;
  let px = x;
  let py = y;
  for (let m = 0; m < M; m++) {
    let c = 0;
    for (; c < full; c += 4) {
      const o = (<usize>c) << 2;
      v128.store(py + o, affine(v128.load(px + o), v128.load(scale + o), v128.load(shift + o), r));
    }
    if (c < C) {
      const o = (<usize>c) << 2;
      const lanes = C - c;
      storeN(
        py + o,
        affine(loadN(px + o, lanes), loadN(scale + o, lanes), loadN(shift + o, lanes), r),
        lanes,
      );
    }
    px += ld;
    py += ld;
  }
}

/**
 * Per-channel sums for the backward pass, in f64 at ws [2][C]: Σ g and Σ g·(x − mean), where g is dy
 * masked by the fused ReLU (whose input x·scale + shift is recomputed exactly as in bn_apply).
 */
export function bn_backward_reduce(
  dy: usize,
  x: usize,
  M: i32,
  C: i32,
  scale: usize,
  shift: usize,
  mean: usize,
  relu: i32,
  ws: usize,
): void {
  memory.fill(ws, 0, (<usize>C) << 4);
  const r = relu != 0;
  const ld = (<usize>C) << 2;
  for (let m0 = 0; m0 < M; m0 += ROWS) {
    const rows = min(ROWS, M - m0);
    const off0 = <usize>m0 * ld;
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const o = (<usize>c) << 2;
      const s = loadLanes(scale + o, lanes);
      const t = loadLanes(shift + o, lanes);
      const mu = loadLanes(mean + o, lanes);
      let sg = f32x4.splat(0);
      let sgx = f32x4.splat(0);
      let p = off0 + o;
      for (let k = 0; k < rows; k++) {
        const v = loadLanes(x + p, lanes);
        const g = gated(loadLanes(dy + p, lanes), v, s, t, r);
        sg = f32x4.add(sg, g);
        sgx = f32x4.add(sgx, f32x4.mul(g, f32x4.sub(v, mu)));
        p += ld;
      }
      addLanes(ws + ((<usize>c) << 3), sg, lanes);
      addLanes(ws + ((<usize>(C + c)) << 3), sgx, lanes);
    }
  }
}

function addLanes(p: usize, v: v128, lanes: i32): void {
  store<f64>(p, load<f64>(p) + <f64>f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f64>(p, load<f64>(p, 8) + <f64>f32x4.extract_lane(v, 1), 8);
  if (lanes > 2) store<f64>(p, load<f64>(p, 16) + <f64>f32x4.extract_lane(v, 2), 16);
  if (lanes > 3) store<f64>(p, load<f64>(p, 24) + <f64>f32x4.extract_lane(v, 3), 24);
}

/** dx = a·g + b·(x − mean) + k per channel, g as in bn_backward_reduce. dx may alias dy. */
export function bn_backward_apply(
  dy: usize,
  x: usize,
  dx: usize,
  M: i32,
  C: i32,
  scale: usize,
  shift: usize,
  relu: i32,
  mean: usize,
  a: usize,
  b: usize,
  k: usize,
): void {
  const r = relu != 0;
  const ld = (<usize>C) << 2;
  const full = C & ~3;
  let p: usize = 0;
  for (let m = 0; m < M; m++) {
    let c = 0;
    for (; c < full; c += 4) {
      const o = (<usize>c) << 2;
      const v = v128.load(x + p + o);
      const g = gated(v128.load(dy + p + o), v, v128.load(scale + o), v128.load(shift + o), r);
      const out = f32x4.add(
        f32x4.add(
          f32x4.mul(v128.load(a + o), g),
          f32x4.mul(v128.load(b + o), f32x4.sub(v, v128.load(mean + o))),
        ),
        v128.load(k + o),
      );
      v128.store(dx + p + o, out);
    }
    if (c < C) {
      const o = (<usize>c) << 2;
      const n = C - c;
      const v = loadN(x + p + o, n);
      const g = gated(loadN(dy + p + o, n), v, loadN(scale + o, n), loadN(shift + o, n), r);
      const out = f32x4.add(
        f32x4.add(
          f32x4.mul(loadN(a + o, n), g),
          f32x4.mul(loadN(b + o, n), f32x4.sub(v, loadN(mean + o, n))),
        ),
        loadN(k + o, n),
      );
      storeN(dx + p + o, out, n);
    }
    p += ld;
  }
}
