// Inference convolution with a 3-tap kernel along one axis (3×1 or 1×3, stride 1, 'same' padding)
// by Winograd's minimal filtering F(4, 3): 4 outputs from 6 inputs with 6 multiplies instead of 12
// (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks", the F(4,3) matrices).
//
// Legend: B batch, H×W size, C input / N output channels, L = the conv axis length (H for 3×1,
// W for 1×3; a multiple of 4), a tile = 4 consecutive outputs along that axis, P = B·H·W/4 tiles.
//   x [B, H, W, C]  →  V[ξ][P][C] = Bᵀ·d (d: the tile's 6 input rows, padded with zeros)
//   U[ξ][C][N] = G·g (g: the 3 taps), packed as 8-column panels, ξ = 0..5
//   M[ξ][P][N] = V[ξ] · U[ξ]      (6 GEMMs on the shared 4×8 register tile)
//   y = act(bias + Aᵀ·M), optionally max-pooled 2×2 (1×3 only: the tiles of rows h and h+1 pair up)
// Tiles are ordered with the axis outermost inside an image: for 1×3, tile (b, h, w/4); for 3×1,
// tile (b, h/4, w). Float32 rounding of the transforms keeps results within ~1e-6 relative of the
// direct convolution for well-scaled inputs.

import { loadN, storeN } from './lanes';
import { tapOffsets, tile4x8 } from './tile';

function ld(p: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p) : loadN(p, lanes);
}

function st(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v);
  else storeN(p, v, lanes);
}

function sc(v: v128, k: f32): v128 {
  return f32x4.mul(v, f32x4.splat(k));
}

/** up [6][ceil(N/8)][C][8]: U[ξ] = G·g for every (c, n), from w [3, C, N] (the 3 taps along the axis). */
export function wino_pack_weights(w: usize, up: usize, C: i32, N: i32): void {
  const panels = (N + 7) >> 3;
  const slice = (<usize>(panels * C * 8)) << 2;
  const tap = (<usize>(C * N)) << 2;
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      const src = w + ((<usize>(c * N + n)) << 2);
      const g0 = load<f32>(src);
      const g1 = load<f32>(src + tap);
      const g2 = load<f32>(src + 2 * tap);
      const at = up + ((<usize>((((n >> 3) * C + c) << 3) + (n & 7))) << 2);
      store<f32>(at, g0 / 4);
      store<f32>(at + slice, -(g0 + g1 + g2) / 6);
      store<f32>(at + 2 * slice, -(g0 - g1 + g2) / 6);
      store<f32>(at + 3 * slice, g0 / 24 + g1 / 12 + g2 / 6);
      store<f32>(at + 4 * slice, g0 / 24 - g1 / 12 + g2 / 6);
      store<f32>(at + 5 * slice, g2);
    }
  }
  // Zero the padding columns of the last panel once, so the GEMM tile reads finite zeros.
  if (N & 7) {
    for (let xi = 0; xi < 6; xi++) {
      for (let c = 0; c < C; c++) {
        for (let n = N; n < panels << 3; n++) {
          store<f32>(up + <usize>xi * slice + ((<usize>((((n >> 3) * C + c) << 3) + (n & 7))) << 2), 0);
        }
      }
    }
  }
}

/** V[ξ][tile][C] for every tile; `along` = 0 for a 3×1 conv (axis H), 1 for 1×3 (axis W). */
function inputTransform(x: usize, v: usize, B: i32, H: i32, W: i32, C: i32, along: i32): void {
  const row = (<usize>C) << 2;
  const L = along ? W : H;
  const stride = along ? row : <usize>W * row; // between neighbours along the axis
  const P = (B * H * W) >> 2;
  const slice = <usize>P * row;
  // Tiles (b, h, w/4) for 1×3 and (b, h/4, w) for 3×1.
  const outers = along ? H : H >> 2;
  const inners = along ? W >> 2 : W;
  let tile: usize = 0;
  for (let b = 0; b < B; b++) {
    for (let outer = 0; outer < outers; outer++) {
      for (let inner = 0; inner < inners; inner++) {
        // First of the 4 outputs, and the input one before it (the left/top padding tap).
        const a0 = along ? inner << 2 : outer << 2;
        const first = x + <usize>((b * H + (along ? outer : a0)) * W + (along ? a0 : inner)) * row;
        const base = first - stride;
        const dst = v + tile * row;
        for (let c = 0; c < C; c += 4) {
          const lanes = min(4, C - c);
          const o = (<usize>c) << 2;
          const z = f32x4.splat(0);
          const d0 = a0 > 0 ? ld(base + o, lanes) : z;
          const d1 = ld(base + stride + o, lanes);
          const d2 = ld(base + 2 * stride + o, lanes);
          const d3 = ld(base + 3 * stride + o, lanes);
          const d4 = ld(base + 4 * stride + o, lanes);
          const d5 = a0 + 4 < L ? ld(base + 5 * stride + o, lanes) : z;
          st(dst + o, f32x4.add(f32x4.sub(sc(d0, 4), sc(d2, 5)), d4), lanes);
          st(dst + slice + o, f32x4.add(f32x4.sub(f32x4.add(d3, d4), sc(d1, 4)), sc(d2, -4)), lanes);
          st(dst + 2 * slice + o, f32x4.add(f32x4.sub(d4, d3), sc(f32x4.sub(d1, d2), 4)), lanes);
          st(dst + 3 * slice + o, f32x4.add(f32x4.sub(d4, d2), sc(f32x4.sub(d3, d1), 2)), lanes);
          st(dst + 4 * slice + o, f32x4.add(f32x4.sub(d4, d2), sc(f32x4.sub(d1, d3), 2)), lanes);
          st(dst + 5 * slice + o, f32x4.add(f32x4.sub(sc(d1, 4), sc(d3, 5)), d5), lanes);
        }
        tile++;
      }
    }
  }
}

/** The 4 outputs of one tile and channel vector: Aᵀ·M + bias, then ReLU. */
function outputs(m: usize, slice: usize, bias: v128, relu: bool, out: usize): void {
  const m0 = v128.load(m);
  const m1 = v128.load(m + slice);
  const m2 = v128.load(m + 2 * slice);
  const m3 = v128.load(m + 3 * slice);
  const m4 = v128.load(m + 4 * slice);
  const m5 = v128.load(m + 5 * slice);
  const s12 = f32x4.add(m1, m2);
  const d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4);
  const d34 = f32x4.sub(m3, m4);
  let y0 = f32x4.add(f32x4.add(f32x4.add(m0, s12), s34), bias);
  let y1 = f32x4.add(f32x4.add(d12, sc(d34, 2)), bias);
  let y2 = f32x4.add(f32x4.add(s12, sc(s34, 4)), bias);
  let y3 = f32x4.add(f32x4.add(f32x4.add(d12, sc(d34, 8)), m5), bias);
  if (relu) {
    const z = f32x4.splat(0);
    y0 = f32x4.max(y0, z);
    y1 = f32x4.max(y1, z);
    y2 = f32x4.max(y2, z);
    y3 = f32x4.max(y3, z);
  }
  // Scratch of 4 vectors, read back by the caller (plain or pooled store).
  v128.store(out, y0);
  v128.store(out, y1, 16);
  v128.store(out, y2, 32);
  v128.store(out, y3, 48);
}

/** The 4 outputs of up to two tiles, between the transform and the (pooled) store. */
const four: usize = memory.data(128, 16);

/**
 * y = act(conv(x, w) + bias) (pool == 0), or its 2×2 max-pool (pool != 0, 1×3 only), by F(4,3).
 * up from wino_pack_weights; v: (6·P + 4)·C floats and m: 6·P·Np floats of workspace,
 * Np = 8·ceil(N/8).
 */
export function conv2d_forward_winograd(
  x: usize,
  up: usize,
  bias: usize,
  y: usize,
  v: usize,
  m: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  N: i32,
  along: i32,
  relu: i32,
  pool: i32,
): void {
  inputTransform(x, v, B, H, W, C, along);
  const P = (B * H * W) >> 2;
  const Np = ((N + 7) >> 3) << 3;
  const rowC = (<usize>C) << 2;
  const rowN = (<usize>Np) << 2;
  // Six GEMMs M[ξ] = V[ξ]·U[ξ]: rows of V are contiguous, one tap at offset 0.
  store<usize>(tapOffsets, 0);
  const panelBytes = (<usize>(C * 8)) << 2;
  for (let xi = 0; xi < 6; xi++) {
    const vs = v + <usize>xi * <usize>P * rowC;
    const ms = m + <usize>xi * <usize>P * rowN;
    const us = up + <usize>xi * <usize>(Np >> 3) * panelBytes;
    for (let r = 0; r < P; r += 4) {
      const rows = min(4, P - r);
      const anchor = vs + <usize>r * rowC;
      let panel = us;
      for (let n0 = 0; n0 < Np; n0 += 8) {
        const out = ms + <usize>r * rowN + ((<usize>n0) << 2);
        // A last group of fewer than 4 rows reads (and discards) rows past P: v has 4 spare rows.
        tile4x8(anchor, rowC, 2 * rowC, 0, 1, C, panel, 0, false, false, out, rowN, rows, 8);
        panel += panelBytes;
      }
    }
  }
  outputTransform(m, bias, y, B, H, W, N, Np, P, along, relu != 0, pool != 0);
}

function outputTransform(
  m: usize,
  bias: usize,
  y: usize,
  B: i32,
  H: i32,
  W: i32,
  N: i32,
  Np: i32,
  P: i32,
  along: i32,
  relu: bool,
  pool: bool,
): void {
  const rowN = (<usize>N) << 2;
  const mRow = (<usize>Np) << 2;
  const slice = <usize>P * mRow;
  const stride = along ? rowN : <usize>W * rowN;
  const W4 = W >> 2;
  const zero = f32x4.splat(0);
  if (pool) {
    // 1×3 with pooling: tiles (b, 2ph, wt) and (b, 2ph + 1, wt) give pooled outputs (ph, 2wt .. 2wt+1).
    const PH = H >> 1;
    for (let b = 0; b < B; b++) {
      for (let ph = 0; ph < PH; ph++) {
        for (let wt = 0; wt < W4; wt++) {
          const t = (b * H + 2 * ph) * W4 + wt;
          const top = m + <usize>t * mRow;
          const bottom = m + <usize>(t + W4) * mRow;
          const dst = y + <usize>((b * PH + ph) * (W >> 1) + 2 * wt) * rowN;
          for (let n = 0; n < N; n += 4) {
            const lanes = min(4, N - n);
            const o = (<usize>n) << 2;
            const bv = bias == 0 ? zero : ld(bias + o, lanes);
            outputs(top + o, slice, bv, relu, four);
            outputs(bottom + o, slice, bv, relu, four + 64);
            // Outputs w = 4wt .. 4wt+3 of both rows; pooled columns 2wt (w 0, 1) and 2wt + 1 (w 2, 3).
            const w0 = f32x4.max(v128.load(four), v128.load(four, 64));
            const w1 = f32x4.max(v128.load(four, 16), v128.load(four, 80));
            const w2 = f32x4.max(v128.load(four, 32), v128.load(four, 96));
            const w3 = f32x4.max(v128.load(four, 48), v128.load(four, 112));
            st(dst + o, f32x4.max(w0, w1), lanes);
            st(dst + rowN + o, f32x4.max(w2, w3), lanes);
          }
        }
      }
    }
    return;
  }
  const outers = along ? H : H >> 2;
  const inners = along ? W4 : W;
  let t: usize = 0;
  for (let b = 0; b < B; b++) {
    for (let outer = 0; outer < outers; outer++) {
      for (let inner = 0; inner < inners; inner++) {
        const a0 = along ? inner << 2 : outer << 2;
        const first = y + <usize>((b * H + (along ? outer : a0)) * W + (along ? a0 : inner)) * rowN;
        const src = m + t * mRow;
        for (let n = 0; n < N; n += 4) {
          const lanes = min(4, N - n);
          const o = (<usize>n) << 2;
          outputs(src + o, slice, bias == 0 ? zero : ld(bias + o, lanes), relu, four);
          st(first + o, v128.load(four), lanes);
          st(first + stride + o, v128.load(four, 16), lanes);
          st(first + 2 * stride + o, v128.load(four, 32), lanes);
          st(first + 3 * stride + o, v128.load(four, 48), lanes);
        }
        t++;
      }
    }
  }
}
