// Batch norm (+ optional ReLU) fused with the k×k max-pool (stride k) that follows it.
//
// Legend: B batch, H×W input size, C channels, OH = floor(H/k), OW = floor(W/k).
//   x, dx [B, H, W, C]   p, dp [B, OH, OW, C]   per-channel vectors [C]
// The full-resolution activation y = act(x·scale + shift) is never stored: the forward pass pools it
// on the fly, and the backward pass recomputes it from x with the same float32 operations (so
// bit-identical), routes each pooled gradient to the first maximum of its window (in scan order),
// masks it by the ReLU, and applies the batch-norm backward in the same sweep. Positions no window
// covers (when k does not divide H or W) get only the batch-norm terms. Channel tails use partial
// vectors.

import { loadN, storeN } from './lanes';

function ld(p: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p) : loadN(p, lanes);
}

function st(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v);
  else storeN(p, v, lanes);
}

function act(v: v128, s: v128, t: v128, relu: bool): v128 {
  const u = f32x4.add(f32x4.mul(v, s), t);
  return relu ? f32x4.max(u, f32x4.splat(0)) : u;
}

/** p = max over each window of act(x·scale + shift). */
export function bn_pool_forward(
  x: usize,
  p: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  k: i32,
  scale: usize,
  shift: usize,
  relu: i32,
): void {
  const r = relu != 0;
  const OH = H / k;
  const OW = W / k;
  const row = (<usize>C) << 2;
  let out = p;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const corner = x + <usize>((b * H + oh * k) * W + ow * k) * row;
        for (let c = 0; c < C; c += 4) {
          const lanes = min(4, C - c);
          const o = (<usize>c) << 2;
          const s = ld(scale + o, lanes);
          const t = ld(shift + o, lanes);
          let m = act(ld(corner + o, lanes), s, t, r);
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++)
              m = f32x4.max(m, act(ld(corner + <usize>(i * W + j) * row + o, lanes), s, t, r));
          }
          st(out + o, m, lanes);
        }
        out += row;
      }
    }
  }
}

/**
 * Per-channel sums for the batch-norm backward, in f64 at ws [2][C]: Σ g and Σ g·(x − mean), where g
 * is the pooled gradient at each window's first maximum (0 where the ReLU is off). part: 2·C f32
 * of workspace (float32 partial sums over one row of windows).
 */
export function bn_pool_backward_reduce(
  dp: usize,
  x: usize,
  p: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  k: i32,
  scale: usize,
  shift: usize,
  mean: usize,
  relu: i32,
  ws: usize,
  part: usize,
): void {
  const r = relu != 0;
  const OH = H / k;
  const OW = W / k;
  const row = (<usize>C) << 2;
  memory.fill(ws, 0, (<usize>C) << 4);
  let q: usize = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      memory.fill(part, 0, (<usize>C) << 3);
      for (let ow = 0; ow < OW; ow++) {
        const corner = x + <usize>((b * H + oh * k) * W + ow * k) * row;
        for (let c = 0; c < C; c += 4) {
          const lanes = min(4, C - c);
          const o = (<usize>c) << 2;
          const s = ld(scale + o, lanes);
          const t = ld(shift + o, lanes);
          const mu = ld(mean + o, lanes);
          const m = ld(p + q + o, lanes);
          const g = r ? v128.and(ld(dp + q + o, lanes), f32x4.gt(m, f32x4.splat(0))) : ld(dp + q + o, lanes);
          let taken = i32x4.splat(0);
          let sg = f32x4.splat(0);
          let sgx = f32x4.splat(0);
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              const v = ld(corner + <usize>(i * W + j) * row + o, lanes);
              const hit = v128.andnot(f32x4.eq(act(v, s, t, r), m), taken);
              taken = v128.or(taken, hit);
              const gh = v128.and(g, hit);
              sg = f32x4.add(sg, gh);
              sgx = f32x4.add(sgx, f32x4.mul(gh, f32x4.sub(v, mu)));
            }
          }
          st(part + o, f32x4.add(ld(part + o, lanes), sg), lanes);
          st(part + row + o, f32x4.add(ld(part + row + o, lanes), sgx), lanes);
        }
        q += row;
      }
      for (let c = 0; c < 2 * C; c++) {
        const pw = ws + ((<usize>c) << 3);
        store<f64>(pw, load<f64>(pw) + <f64>load<f32>(part + ((<usize>c) << 2)));
      }
    }
  }
}

/** dx = a·g + bb·(x − mean) + kk per channel, g as in bn_pool_backward_reduce (0 off the maxima). */
export function bn_pool_backward_apply(
  dp: usize,
  x: usize,
  p: usize,
  dx: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  k: i32,
  scale: usize,
  shift: usize,
  mean: usize,
  relu: i32,
  a: usize,
  bb: usize,
  kk: usize,
): void {
  const r = relu != 0;
  const OH = H / k;
  const OW = W / k;
  const row = (<usize>C) << 2;
  let q: usize = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const corner = <usize>((b * H + oh * k) * W + ow * k) * row;
        for (let c = 0; c < C; c += 4) {
          const lanes = min(4, C - c);
          const o = (<usize>c) << 2;
          const s = ld(scale + o, lanes);
          const t = ld(shift + o, lanes);
          const mu = ld(mean + o, lanes);
          const va = ld(a + o, lanes);
          const vb = ld(bb + o, lanes);
          const vk = ld(kk + o, lanes);
          const m = ld(p + q + o, lanes);
          const g = r ? v128.and(ld(dp + q + o, lanes), f32x4.gt(m, f32x4.splat(0))) : ld(dp + q + o, lanes);
          let taken = i32x4.splat(0);
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              const at = corner + <usize>(i * W + j) * row + o;
              const v = ld(x + at, lanes);
              const hit = v128.andnot(f32x4.eq(act(v, s, t, r), m), taken);
              taken = v128.or(taken, hit);
              const d = f32x4.add(
                f32x4.add(f32x4.mul(va, v128.and(g, hit)), f32x4.mul(vb, f32x4.sub(v, mu))),
                vk,
              );
              st(dx + at, d, lanes);
            }
          }
        }
        q += row;
      }
    }
    // Rows below the last window and columns right of it: batch-norm terms only.
    for (let h = 0; h < H; h++) {
      for (let w = h < OH * k ? OW * k : 0; w < W; w++) {
        const at = <usize>((b * H + h) * W + w) * row;
        for (let c = 0; c < C; c += 4) {
          const lanes = min(4, C - c);
          const o = (<usize>c) << 2;
          const d = f32x4.add(
            f32x4.mul(ld(bb + o, lanes), f32x4.sub(ld(x + at + o, lanes), ld(mean + o, lanes))),
            ld(kk + o, lanes),
          );
          st(dx + at + o, d, lanes);
        }
      }
    }
  }
}
