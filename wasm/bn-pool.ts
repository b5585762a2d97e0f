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

import { loadLanes, storeLanes } from './lanes';

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
  if (k == 2 && (C & 3) == 0) {
    pool2Forward(x, p, B, H, W, C, scale, shift, relu != 0);
    return;
  }
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
          const s = loadLanes(scale + o, lanes);
          const t = loadLanes(shift + o, lanes);
          let m = act(loadLanes(corner + o, lanes), s, t, r);
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++)
              m = f32x4.max(m, act(loadLanes(corner + <usize>(i * W + j) * row + o, lanes), s, t, r));
          }
          storeLanes(out + o, m, lanes);
        }
        out += row;
      }
    }
  }
}

/** The pooled output's gradient at one channel vector, zero where the fused ReLU clipped (m ≤ 0). */
function pooledGrad(dpq: usize, m: v128, relu: bool, lanes: i32): v128 {
  const g = loadLanes(dpq, lanes);
  return relu ? v128.and(g, f32x4.gt(m, f32x4.splat(0))) : g;
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
  if (k == 2 && (C & 3) == 0) {
    pool2BackwardReduce(dp, x, p, B, H, W, C, scale, shift, mean, relu != 0, ws);
    return;
  }
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
          const s = loadLanes(scale + o, lanes);
          const t = loadLanes(shift + o, lanes);
          const mu = loadLanes(mean + o, lanes);
          const m = loadLanes(p + q + o, lanes);
          const g = pooledGrad(dp + q + o, m, r, lanes);
          let taken = i32x4.splat(0);
          let sg = f32x4.splat(0);
          let sgx = f32x4.splat(0);
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              const v = loadLanes(corner + <usize>(i * W + j) * row + o, lanes);
              const hit = v128.andnot(f32x4.eq(act(v, s, t, r), m), taken);
              taken = v128.or(taken, hit);
              const gh = v128.and(g, hit);
              sg = f32x4.add(sg, gh);
              sgx = f32x4.add(sgx, f32x4.mul(gh, f32x4.sub(v, mu)));
            }
          }
          storeLanes(part + o, f32x4.add(loadLanes(part + o, lanes), sg), lanes);
          storeLanes(part + row + o, f32x4.add(loadLanes(part + row + o, lanes), sgx), lanes);
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
  if (k == 2 && (C & 3) == 0) {
    pool2BackwardApply(dp, x, p, dx, B, H, W, C, scale, shift, mean, relu != 0, a, bb, kk);
    return;
  }
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
          const s = loadLanes(scale + o, lanes);
          const t = loadLanes(shift + o, lanes);
          const mu = loadLanes(mean + o, lanes);
          const va = loadLanes(a + o, lanes);
          const vb = loadLanes(bb + o, lanes);
          const vk = loadLanes(kk + o, lanes);
          const m = loadLanes(p + q + o, lanes);
          const g = pooledGrad(dp + q + o, m, r, lanes);
          let taken = i32x4.splat(0);
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              const at = corner + <usize>(i * W + j) * row + o;
              const v = loadLanes(x + at, lanes);
              const hit = v128.andnot(f32x4.eq(act(v, s, t, r), m), taken);
              taken = v128.or(taken, hit);
              const d = f32x4.add(
                f32x4.add(f32x4.mul(va, v128.and(g, hit)), f32x4.mul(vb, f32x4.sub(v, mu))),
                vk,
              );
              storeLanes(dx + at, d, lanes);
            }
          }
        }
        q += row;
      }
    }
    applyUncovered(x, dx, b, H, W, C, k, mean, bb, kk);
  }
}

// Fast paths for the common 2×2 window with a channel count divisible by 4: channel vectors outside,
// windows inside, so per-channel constants stay in registers; straight-line code for the 4 positions.
// They compute exactly what the generic loops above compute (max is order-independent, and the
// "first maximum" is selected in the same scan order a, b, c, d).

function pool2Forward(
  x: usize,
  p: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  scale: usize,
  shift: usize,
  relu: bool,
): void {
  const OH = H >> 1;
  const OW = W >> 1;
  const row = (<usize>C) << 2;
  const down = <usize>W * row;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const src = x + <usize>((b * H + 2 * oh) * W) * row;
      const dst = p + <usize>((b * OH + oh) * OW) * row;
      for (let c = 0; c < C; c += 4) {
        const o = (<usize>c) << 2;
        const s = v128.load(scale + o);
        const t = v128.load(shift + o);
        let q = src + o;
        let out = dst + o;
        for (let ow = 0; ow < OW; ow++) {
          const ua = f32x4.add(f32x4.mul(v128.load(q), s), t);
          const ub = f32x4.add(f32x4.mul(v128.load(q + row), s), t);
          const uc = f32x4.add(f32x4.mul(v128.load(q + down), s), t);
          const ud = f32x4.add(f32x4.mul(v128.load(q + down + row), s), t);
          const m = f32x4.max(f32x4.max(ua, ub), f32x4.max(uc, ud));
          v128.store(out, relu ? f32x4.max(m, f32x4.splat(0)) : m);
          q += row << 1;
          out += row;
        }
      }
    }
  }
}

/** The positions of a 2×2 window that receive its gradient: the first maximum only. */
function firstHits(ua: v128, ub: v128, uc: v128, ud: v128, m: v128, relu: bool): v128 {
  const z = f32x4.splat(0);
  const ha = f32x4.eq(relu ? f32x4.max(ua, z) : ua, m);
  const hb = f32x4.eq(relu ? f32x4.max(ub, z) : ub, m);
  const hc = f32x4.eq(relu ? f32x4.max(uc, z) : uc, m);
  // Lane masks packed as 4 × i8 per lane would be clumsy; return the selection code instead:
  // bits 0..1 of each i32 lane = index of the first hit (3 if none of a, b, c).
  const ia = v128.and(ha, i32x4.splat(0));
  const ib = v128.andnot(v128.and(hb, i32x4.splat(1)), ha);
  const ic = v128.andnot(v128.and(hc, i32x4.splat(2)), v128.or(ha, hb));
  const id = v128.andnot(i32x4.splat(3), v128.or(v128.or(ha, hb), hc));
  return v128.or(v128.or(ia, ib), v128.or(ic, id));
}

function pool2BackwardReduce(
  dp: usize,
  x: usize,
  p: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  scale: usize,
  shift: usize,
  mean: usize,
  relu: bool,
  ws: usize,
): void {
  const OH = H >> 1;
  const OW = W >> 1;
  const row = (<usize>C) << 2;
  const down = <usize>W * row;
  memory.fill(ws, 0, (<usize>C) << 4);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const src = x + <usize>((b * H + 2 * oh) * W) * row;
      const pooled = <usize>((b * OH + oh) * OW) * row;
      for (let c = 0; c < C; c += 4) {
        const o = (<usize>c) << 2;
        const s = v128.load(scale + o);
        const t = v128.load(shift + o);
        const mu = v128.load(mean + o);
        let sg = f32x4.splat(0);
        let sgx = f32x4.splat(0);
        let q = src + o;
        let at = pooled + o;
        for (let ow = 0; ow < OW; ow++) {
          const m = v128.load(p + at);
          const g = relu ? v128.and(v128.load(dp + at), f32x4.gt(m, f32x4.splat(0))) : v128.load(dp + at);
          const va = v128.load(q);
          const vb = v128.load(q + row);
          const vc = v128.load(q + down);
          const vd = v128.load(q + down + row);
          const pick = firstHits(
            f32x4.add(f32x4.mul(va, s), t),
            f32x4.add(f32x4.mul(vb, s), t),
            f32x4.add(f32x4.mul(vc, s), t),
            f32x4.add(f32x4.mul(vd, s), t),
            m,
            relu,
          );
          const v = select4(va, vb, vc, vd, pick);
          sg = f32x4.add(sg, g);
          sgx = f32x4.add(sgx, f32x4.mul(g, f32x4.sub(v, mu)));
          q += row << 1;
          at += row;
        }
        const pw = ws + ((<usize>c) << 3);
        const px = ws + ((<usize>(C + c)) << 3);
        store<f64>(pw, load<f64>(pw) + <f64>f32x4.extract_lane(sg, 0));
        store<f64>(pw, load<f64>(pw, 8) + <f64>f32x4.extract_lane(sg, 1), 8);
        store<f64>(pw, load<f64>(pw, 16) + <f64>f32x4.extract_lane(sg, 2), 16);
        store<f64>(pw, load<f64>(pw, 24) + <f64>f32x4.extract_lane(sg, 3), 24);
        store<f64>(px, load<f64>(px) + <f64>f32x4.extract_lane(sgx, 0));
        store<f64>(px, load<f64>(px, 8) + <f64>f32x4.extract_lane(sgx, 1), 8);
        store<f64>(px, load<f64>(px, 16) + <f64>f32x4.extract_lane(sgx, 2), 16);
        store<f64>(px, load<f64>(px, 24) + <f64>f32x4.extract_lane(sgx, 3), 24);
      }
    }
  }
}

/** Lane-wise pick of va, vb, vc or vd by the codes 0..3 of firstHits. */
function select4(va: v128, vb: v128, vc: v128, vd: v128, pick: v128): v128 {
  const ab = v128.bitselect(vb, va, i32x4.eq(pick, i32x4.splat(1)));
  const cd = v128.bitselect(vd, vc, i32x4.eq(pick, i32x4.splat(3)));
  return v128.bitselect(cd, ab, i32x4.gt_u(pick, i32x4.splat(1)));
}

function pool2BackwardApply(
  dp: usize,
  x: usize,
  p: usize,
  dx: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  scale: usize,
  shift: usize,
  mean: usize,
  relu: bool,
  a: usize,
  bb: usize,
  kk: usize,
): void {
  const OH = H >> 1;
  const OW = W >> 1;
  const row = (<usize>C) << 2;
  const down = <usize>W * row;
  const zero = f32x4.splat(0);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const src = <usize>((b * H + 2 * oh) * W) * row;
      const pooled = <usize>((b * OH + oh) * OW) * row;
      for (let c = 0; c < C; c += 4) {
        const o = (<usize>c) << 2;
        const s = v128.load(scale + o);
        const t = v128.load(shift + o);
        const mu = v128.load(mean + o);
        const va_ = v128.load(a + o);
        const vb_ = v128.load(bb + o);
        const vk = v128.load(kk + o);
        let q = src + o;
        let at = pooled + o;
        for (let ow = 0; ow < OW; ow++) {
          const m = v128.load(p + at);
          const g = relu ? v128.and(v128.load(dp + at), f32x4.gt(m, zero)) : v128.load(dp + at);
          const ag = f32x4.mul(va_, g);
          const xa = v128.load(x + q);
          const xb = v128.load(x + q + row);
          const xc = v128.load(x + q + down);
          const xd = v128.load(x + q + down + row);
          const pick = firstHits(
            f32x4.add(f32x4.mul(xa, s), t),
            f32x4.add(f32x4.mul(xb, s), t),
            f32x4.add(f32x4.mul(xc, s), t),
            f32x4.add(f32x4.mul(xd, s), t),
            m,
            relu,
          );
          v128.store(
            dx + q,
            f32x4.add(bnTerm(xa, vb_, mu, vk), v128.and(ag, i32x4.eq(pick, i32x4.splat(0)))),
          );
          v128.store(
            dx + q + row,
            f32x4.add(bnTerm(xb, vb_, mu, vk), v128.and(ag, i32x4.eq(pick, i32x4.splat(1)))),
          );
          v128.store(
            dx + q + down,
            f32x4.add(bnTerm(xc, vb_, mu, vk), v128.and(ag, i32x4.eq(pick, i32x4.splat(2)))),
          );
          v128.store(
            dx + q + down + row,
            f32x4.add(bnTerm(xd, vb_, mu, vk), v128.and(ag, i32x4.eq(pick, i32x4.splat(3)))),
          );
          q += row << 1;
          at += row;
        }
      }
    }
    applyUncovered(x, dx, b, H, W, C, 2, mean, bb, kk);
  }
}

/** bb·(x − mean) + kk: the batch-norm part of dx, present at every position. */
function bnTerm(v: v128, bb: v128, mu: v128, kk: v128): v128 {
  return f32x4.add(f32x4.mul(bb, f32x4.sub(v, mu)), kk);
}

/** Image b's rows below the last window and columns right of it: dx = bb·(x − mean) + kk only. */
function applyUncovered(
  x: usize,
  dx: usize,
  b: i32,
  H: i32,
  W: i32,
  C: i32,
  k: i32,
  mean: usize,
  bb: usize,
  kk: usize,
): void {
  const OH = H / k;
  const OW = W / k;
  const row = (<usize>C) << 2;
  if (OH * k == H && OW * k == W) return;
  for (let h = 0; h < H; h++) {
    for (let w = h < OH * k ? OW * k : 0; w < W; w++) {
      const at = <usize>((b * H + h) * W + w) * row;
      for (let c = 0; c < C; c += 4) {
        const lanes = min(4, C - c);
        const o = (<usize>c) << 2;
        const d = bnTerm(
          loadLanes(x + at + o, lanes),
          loadLanes(bb + o, lanes),
          loadLanes(mean + o, lanes),
          loadLanes(kk + o, lanes),
        );
        storeLanes(dx + at + o, d, lanes);
      }
    }
  }
}
