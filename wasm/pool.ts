// Pooling over NHWC tensors.
//
// Legend: B batch, H×W input size, C channels, kh×kw window, sh×sw stride, OH×OW output size
// (floor mode: windows never leave the input). x, dx [B, H, W, C]; y, dy [B, OH, OW, C];
// global pools: x [B, HW, C] → y [B, C].
// Max-pool backward routes each output gradient to the first position (in scan order) that holds the
// window's maximum, found again by comparing x with y, so no argmax indices are stored.

import { loadLanes, storeLanes } from './lanes';

export function maxpool_forward(
  x: usize,
  y: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  OH: i32,
  OW: i32,
): void {
  const row = (<usize>C) << 2;
  let out = y;
  for (let b = 0; b < B; b++) {
    const img = x + <usize>(b * H) * <usize>W * row;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const corner = img + <usize>(oh * sh * W + ow * sw) * row;
        for (let c = 0; c < C; c += 4) {
          const lanes = min(4, C - c);
          const o = (<usize>c) << 2;
          let m = loadLanes(corner + o, lanes);
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++)
              m = f32x4.max(m, loadLanes(corner + <usize>(i * W + j) * row + o, lanes));
          }
          storeLanes(out + o, m, lanes);
        }
        out += row;
      }
    }
  }
}

/** dx = 0, then dx[argmax of each window] += dy. */
export function maxpool_backward(
  x: usize,
  y: usize,
  dy: usize,
  dx: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  OH: i32,
  OW: i32,
): void {
  const row = (<usize>C) << 2;
  memory.fill(dx, 0, <usize>(B * H) * <usize>W * row);
  let q: usize = 0;
  for (let b = 0; b < B; b++) {
    const img = <usize>(b * H) * <usize>W * row;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const corner = img + <usize>(oh * sh * W + ow * sw) * row;
        for (let c = 0; c < C; c += 4) {
          const lanes = min(4, C - c);
          const o = (<usize>c) << 2;
          const m = loadLanes(y + q + o, lanes);
          const g = loadLanes(dy + q + o, lanes);
          let taken = i32x4.splat(0);
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const p = corner + <usize>(i * W + j) * row + o;
              const hit = v128.andnot(f32x4.eq(loadLanes(x + p, lanes), m), taken);
              taken = v128.or(taken, hit);
              storeLanes(dx + p, f32x4.add(loadLanes(dx + p, lanes), v128.and(g, hit)), lanes);
            }
          }
        }
        q += row;
      }
    }
  }
}

export function global_maxpool_forward(x: usize, y: usize, B: i32, HW: i32, C: i32): void {
  const row = (<usize>C) << 2;
  for (let b = 0; b < B; b++) {
    const img = x + <usize>(b * HW) * row;
    const out = y + <usize>b * row;
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const o = (<usize>c) << 2;
      let m = loadLanes(img + o, lanes);
      for (let p = 1; p < HW; p++) m = f32x4.max(m, loadLanes(img + <usize>p * row + o, lanes));
      storeLanes(out + o, m, lanes);
    }
  }
}

/** dx = dy at the first position of each (image, channel) maximum, 0 elsewhere. */
export function global_maxpool_backward(
  x: usize,
  y: usize,
  dy: usize,
  dx: usize,
  B: i32,
  HW: i32,
  C: i32,
): void {
  const row = (<usize>C) << 2;
  for (let b = 0; b < B; b++) {
    const img = <usize>(b * HW) * row;
    const q = <usize>b * row;
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const o = (<usize>c) << 2;
      const m = loadLanes(y + q + o, lanes);
      const g = loadLanes(dy + q + o, lanes);
      let taken = i32x4.splat(0);
      for (let p = 0; p < HW; p++) {
        const at = img + <usize>p * row + o;
        const hit = v128.andnot(f32x4.eq(loadLanes(x + at, lanes), m), taken);
        taken = v128.or(taken, hit);
        storeLanes(dx + at, v128.and(g, hit), lanes);
      }
    }
  }
}

export function global_avgpool_forward(x: usize, y: usize, B: i32, HW: i32, C: i32): void {
  const row = (<usize>C) << 2;
  const inv = f32x4.splat(<f32>(1.0 / <f64>HW));
  for (let b = 0; b < B; b++) {
    const img = x + <usize>(b * HW) * row;
    const out = y + <usize>b * row;
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const o = (<usize>c) << 2;
      let s = f32x4.splat(0);
      for (let p = 0; p < HW; p++) s = f32x4.add(s, loadLanes(img + <usize>p * row + o, lanes));
      storeLanes(out + o, f32x4.mul(s, inv), lanes);
    }
  }
}

export function global_avgpool_backward(dy: usize, dx: usize, B: i32, HW: i32, C: i32): void {
  const row = (<usize>C) << 2;
  const inv = f32x4.splat(<f32>(1.0 / <f64>HW));
  for (let b = 0; b < B; b++) {
    const img = dx + <usize>(b * HW) * row;
    const q = dy + <usize>b * row;
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const o = (<usize>c) << 2;
      const g = f32x4.mul(loadLanes(q + o, lanes), inv);
      for (let p = 0; p < HW; p++) storeLanes(img + <usize>p * row + o, g, lanes);
    }
  }
}
