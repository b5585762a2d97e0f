// Inference convolution with a 3-tap kernel along one axis (3×1 or 1×3, stride 1, 'same' padding)
// by Winograd's minimal filtering F(4, 3): 4 outputs from 6 inputs with 6 multiplies instead of 12
// (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks", the F(4,3) matrices).
//
// Legend: B batch, H×W size, C input / N output channels, L = the conv axis length (H for 3×1,
// W for 1×3), a tile = 4 consecutive outputs along that axis (the last one of a line may be partial:
// its missing inputs read as zeros and its missing outputs are not stored), Lt = ceil(L/4).
//   x [B, H, W, C]  →  V[ξ][tile][C] = Bᵀ·d (d: the tile's 6 input rows, padded with zeros)
//   U[ξ][C][N] = G·g (g: the 3 taps), packed as 8-column panels, ξ = 0..5
//   M[ξ][tile][N] = V[ξ] · U[ξ]      (6 GEMMs on the shared 4×8 register tile)
//   y = act(bias + Aᵀ·M), optionally max-pooled 2×2 (1×3 only: the tiles of rows h and h+1 pair up)
// Tiles come in tile rows: for 1×3 a row is image row h (Lt tiles along W: the *Rows transforms);
// for 3×1 it is the band of image rows 4·ht .. 4·ht+3 (W tiles, one per column: the *Bands
// transforms, which also run F(6,3) and F(3,3), below). The work runs over chunks of whole tile rows,
// sized by the caller so that V and M of a chunk stay in cache: transforming the whole layer first
// streams both through memory, which cost more than the multiplies saved (measured).
// Float32 rounding of the transforms keeps results within ~1e-6 relative of the direct convolution
// for well-scaled inputs.

import { madd, storeLanes } from './lanes';
import { countTiles, Row16, Row32, tapOffsets, tile4x8, tileRows } from './tile';


/**
 * up [α][ceil(N/8)][C][8]: U[ξ] = G·g for every (c, n), from w [3, C, N] (the 3 taps along the
 * axis); α = tile + 2 points, tile = 3 (F(3,3)), 4 (F(4,3)) or 6 (F(6,3)).
 */
export function wino_pack_weights(w: usize, up: usize, C: i32, N: i32, tile: i32): void {
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
      if (tile == 3) {
        store<f32>(at, g0 / 2);
        store<f32>(at + slice, (g0 + g1 + g2) / 2);
        store<f32>(at + 2 * slice, (g0 - g1 + g2) / 6);
        store<f32>(at + 3 * slice, (g0 + 2 * g1 + 4 * g2) / 6);
        store<f32>(at + 4 * slice, g2);
      } else if (tile == 6) {
        store<f32>(at, g0);
        store<f32>(at + slice, (-2 * (g0 + g1 + g2)) / 9);
        store<f32>(at + 2 * slice, (-2 * (g0 - g1 + g2)) / 9);
        store<f32>(at + 3 * slice, g0 / 90 + g1 / 45 + (2 * g2) / 45);
        store<f32>(at + 4 * slice, g0 / 90 - g1 / 45 + (2 * g2) / 45);
        store<f32>(at + 5 * slice, (32 * g0) / 45 + (16 * g1) / 45 + (8 * g2) / 45);
        store<f32>(at + 6 * slice, (32 * g0) / 45 - (16 * g1) / 45 + (8 * g2) / 45);
        store<f32>(at + 7 * slice, g2);
      } else {
        store<f32>(at, g0 / 4);
        store<f32>(at + slice, -(g0 + g1 + g2) / 6);
        store<f32>(at + 2 * slice, -(g0 - g1 + g2) / 6);
        store<f32>(at + 3 * slice, g0 / 24 + g1 / 12 + g2 / 6);
        store<f32>(at + 4 * slice, g0 / 24 - g1 / 12 + g2 / 6);
        store<f32>(at + 5 * slice, g2);
      }
    }
  }
  // Zero the padding columns of the last panel once, so the GEMM tile reads finite zeros.
  if (N & 7) {
    for (let xi = 0; xi < tile + 2; xi++) {
      for (let c = 0; c < C; c++) {
        for (let n = N; n < panels << 3; n++) {
          store<f32>(up + <usize>xi * slice + ((<usize>((((n >> 3) * C + c) << 3) + (n & 7))) << 2), 0);
        }
      }
    }
  }
}

/**
 * Bᵀ·d for one channel vector: the 6 transformed rows at dst + ξ·slice. Shared differences and
 * multiply-adds keep it at 12 vector operations (fused multiply-adds in the relaxed build).
 */
@inline
function transformIn(
  d0: v128,
  d1: v128,
  d2: v128,
  d3: v128,
  d4: v128,
  d5: v128,
  dst: usize,
  slice: usize,
  lanes: i32,
): void {
  const four = f32x4.splat(4);
  const minusFour = f32x4.splat(-4);
  const minusFive = f32x4.splat(-5);
  const two = f32x4.splat(2);
  const s42 = f32x4.sub(d4, d2);
  const t31 = f32x4.sub(d3, d1);
  storeLanes(dst, madd(d0, four, madd(d2, minusFive, d4)), lanes);
  storeLanes(dst + slice, madd(f32x4.add(d1, d2), minusFour, f32x4.add(d3, d4)), lanes);
  storeLanes(dst + 2 * slice, madd(f32x4.sub(d1, d2), four, f32x4.sub(d4, d3)), lanes);
  storeLanes(dst + 3 * slice, madd(t31, two, s42), lanes);
  storeLanes(dst + 4 * slice, f32x4.sub(s42, f32x4.add(t31, t31)), lanes);
  storeLanes(dst + 5 * slice, madd(d1, four, madd(d3, minusFive, d5)), lanes);
}

/**
 * Bᵀ·d of the Lt tiles along one image row (pixels at p + w·row, w < W) for one channel vector: tile
 * i's 6 inputs are pixels 4i − 1 .. 4i + 4 (zero outside the row), its V rows at dst + i·row.
 */
@inline
function lineTransform(p: usize, dst: usize, row: usize, slice: usize, W: i32, Lt: i32, lanes: i32): void {
  const z = f32x4.splat(0);
  let d0 = z;
  let d1 = v128.load(p);
  let q = p + row; // pixel 4i + 1
  let out = dst;
  for (let a0 = 0; a0 < Lt << 2; a0 += 4) {
    let d2: v128, d3: v128, d4: v128, d5: v128;
    if (a0 + 4 < W) {
      d2 = v128.load(q);
      d3 = v128.load(q + row);
      d4 = v128.load(q + 2 * row);
      d5 = v128.load(q + 3 * row);
    } else {
      d2 = a0 + 1 < W ? v128.load(q) : z;
      d3 = a0 + 2 < W ? v128.load(q + row) : z;
      d4 = a0 + 3 < W ? v128.load(q + 2 * row) : z;
      d5 = z;
    }
    transformIn(d0, d1, d2, d3, d4, d5, out, slice, lanes);
    d0 = d4;
    d1 = d5;
    q += 4 * row;
    out += row;
  }
}

/**
 * V[ξ][i][C] of a 1×3 conv for the tiles of tile rows R0 .. R0+rows (tile row R = b·rowsPerImage + r
 * = image row r of image b, its tiles along W), i counted from the chunk's first tile; slice = the
 * chunk's tiles · C · 4 bytes. Per channel vector it walks the tiles of an image row, carrying the
 * two inputs that neighbouring tiles share (inputs 4, 5 of one are inputs 0, 1 of the next): 4 loads
 * per tile instead of 6, and no per-tile setup.
 */
function inputTransformRows(
  x: usize,
  v: usize,
  slice: usize,
  R0: i32,
  rows: i32,
  rowsPerImage: i32,
  H: i32,
  W: i32,
  C: i32,
): void {
  const row = (<usize>C) << 2;
  const tilesInRow = (W + 3) >> 2;
  let dst = v;
  let b = R0 / rowsPerImage; // image and tile row of R, kept by counting (see outputTransformRows)
  let r = R0 % rowsPerImage;
  for (let R = R0; R < R0 + rows; R++) {
    const line = x + <usize>((b * H + r) * W) * row;
    for (let c = 0; c < C; c += 4) {
      const o = (<usize>c) << 2;
      if ((C & 3) == 0) lineTransform(line + o, dst + o, row, slice, W, tilesInRow, 4);
      else lineTransform(line + o, dst + o, row, slice, W, tilesInRow, min(4, C - c));
    }
    dst += <usize>tilesInRow * row;
    if (++r == rowsPerImage) {
      r = 0;
      b++;
    }
  }
}

/**
 * Outputs k < valid of one tile and channel vector, act(bias + Aᵀ·M) (floor: 0 for ReLU, −∞ for
 * none), stored at p + k·stride (`lanes` lanes each).
 */
@inline
function storeTile(
  m: usize,
  slice: usize,
  bias: v128,
  floor: v128,
  p: usize,
  stride: usize,
  valid: i32,
  lanes: i32,
): void {
  const m0 = v128.load(m);
  const m1 = v128.load(m + slice);
  const m2 = v128.load(m + 2 * slice);
  const m3 = v128.load(m + 3 * slice);
  const m4 = v128.load(m + 4 * slice);
  const m5 = v128.load(m + 5 * slice);
  const s12 = f32x4.add(f32x4.add(m1, m2), bias);
  const d12 = f32x4.add(f32x4.sub(m1, m2), bias);
  const s34 = f32x4.add(m3, m4);
  const d34 = f32x4.sub(m3, m4);
  storeLanes(p, f32x4.pmax(f32x4.add(f32x4.add(m0, s12), s34), floor), lanes);
  if (valid > 1) storeLanes(p + stride, f32x4.pmax(madd(d34, f32x4.splat(2), d12), floor), lanes);
  if (valid > 2) storeLanes(p + 2 * stride, f32x4.pmax(madd(s34, f32x4.splat(4), s12), floor), lanes);
  if (valid > 3) {
    storeLanes(p + 3 * stride, f32x4.pmax(f32x4.add(madd(d34, f32x4.splat(8), d12), m5), floor), lanes);
  }
}

/**
 * The 2×2 max-pool of two vertically adjacent tiles (top: image row h, bottom: h + 1) of one channel
 * vector: pooled columns 2wt (outputs 0, 1) and 2wt + 1 (outputs 2, 3) at dst and dst + step. The
 * activation's floor commutes with max, so it is applied once per pooled value.
 */
@inline
function storePooledTiles(
  top: usize,
  bottom: usize,
  slice: usize,
  bias: v128,
  floor: v128,
  dst: usize,
  step: usize,
  lanes: i32,
): void {
  let left = floor;
  let right = floor;
  for (let k = 0; k < 2; k++) {
    const m = k ? bottom : top;
    const m1 = v128.load(m + slice);
    const m2 = v128.load(m + 2 * slice);
    const m3 = v128.load(m + 3 * slice);
    const m4 = v128.load(m + 4 * slice);
    const s12 = f32x4.add(f32x4.add(m1, m2), bias);
    const d12 = f32x4.add(f32x4.sub(m1, m2), bias);
    const s34 = f32x4.add(m3, m4);
    const d34 = f32x4.sub(m3, m4);
    const y0 = f32x4.add(f32x4.add(v128.load(m), s12), s34);
    const y1 = madd(d34, f32x4.splat(2), d12);
    const y2 = madd(s34, f32x4.splat(4), s12);
    const y3 = f32x4.add(madd(d34, f32x4.splat(8), d12), v128.load(m + 5 * slice));
    left = f32x4.pmax(left, f32x4.pmax(y0, y1));
    right = f32x4.pmax(right, f32x4.pmax(y2, y3));
  }
  storeLanes(dst, left, lanes);
  storeLanes(dst + step, right, lanes);
}

/**
 * Stores act(bias + Aᵀ·M) of a 1×3 conv for the chunk's tiles (tile rows R0 .. R0+rows, as in
 * inputTransformRows), plain or 2×2-pooled.
 */
function outputTransformRows(
  m: usize,
  slice: usize,
  bias: usize,
  y: usize,
  R0: i32,
  rows: i32,
  rowsPerImage: i32,
  H: i32,
  W: i32,
  N: i32,
  Np: i32,
  relu: bool,
  pool: bool,
): void {
  const rowN = (<usize>N) << 2;
  const mRow = (<usize>Np) << 2;
  const zero = f32x4.splat(0);
  const floor = relu ? zero : f32x4.splat(-Infinity);
  // Image and tile row of R, kept by counting (a division per row cost more than it looks: the
  // compiled code redid it per channel vector, measured).
  let b = R0 / rowsPerImage;
  let r = R0 % rowsPerImage;
  if (pool) {
    // W a multiple of 4, R0 and rows even: tiles (b, 2ph, wt) and (b, 2ph + 1, wt) give pooled
    // outputs (ph, 2wt .. 2wt+1).
    const W4 = W >> 2;
    const PH = H >> 1;
    for (let R = R0; R < R0 + rows; R += 2) {
      const line = y + <usize>((b * PH + (r >> 1)) * (W >> 1)) * rowN;
      const tops = m + <usize>((R - R0) * W4) * mRow;
      // Per channel vector, walk the tiles of the row pair (pointer steps only).
      for (let n = 0; n < N; n += 4) {
        const o = (<usize>n) << 2;
        let top = tops + o;
        let dst = line + o;
        const lanes = min(4, N - n);
        const bv = bias == 0 ? zero : v128.load(bias + o);
        for (let wt = 0; wt < W4; wt++) {
          storePooledTiles(top, top + <usize>W4 * mRow, slice, bv, floor, dst, rowN, lanes);
          top += mRow;
          dst += 2 * rowN;
        }
      }
      r += 2;
      if (r >= rowsPerImage) {
        r = 0;
        b++;
      }
    }
    return;
  }
  const tilesInRow = (W + 3) >> 2;
  let src = m;
  for (let R = R0; R < R0 + rows; R++) {
    const line = y + <usize>((b * H + r) * W) * rowN;
    for (let i = 0; i < tilesInRow; i++) {
      const a0 = i << 2;
      const valid = min(4, W - a0);
      for (let n = 0; n < N; n += 4) {
        const o = (<usize>n) << 2;
        const bv = bias == 0 ? zero : v128.load(bias + o);
        storeTile(src + o, slice, bv, floor, line + <usize>a0 * rowN + o, rowN, valid, min(4, N - n));
      }
      src += mRow;
    }
    if (++r == rowsPerImage) {
      r = 0;
      b++;
    }
  }
}

// 3×1 convs: tiles are bands of `tile` image rows (one tile per column), the padding rows of a band
// at the top or bottom edge of the image zeros. Besides F(4,3), F(6,3) (α = 8 points 0, ±1, ±2, ±1/2,
// ∞; the matrices of Lavin & Gray's wincnn) and F(3,3) (α = 5 points 0, ±1, 2, ∞, Toom-Cook), for
// heights they cover with fewer multiplies: 8 per 6 outputs, or 5 per 3, instead of 6 per 4 (heights
// 6, 12, 24 and 3 of the reference encoder: at height 6, 8 multiplies instead of F(4,3)'s 12; at
// height 3, 5 instead of 6).

/** Bᵀ·d of F(3,3) for one channel vector: the 5 transformed rows at dst + ξ·slice. */
@inline
function transformIn3(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, dst: usize, slice: usize, lanes: i32): void {
  const two = f32x4.splat(2);
  const e31 = f32x4.sub(d3, d1);
  storeLanes(dst, madd(f32x4.sub(d0, d2), two, e31), lanes);
  storeLanes(dst + slice, madd(d1, two, f32x4.sub(d2, d3)), lanes);
  storeLanes(dst + 2 * slice, madd(d2, f32x4.splat(3), f32x4.sub(f32x4.neg(d3), f32x4.add(d1, d1))), lanes);
  storeLanes(dst + 3 * slice, e31, lanes);
  storeLanes(dst + 4 * slice, madd(f32x4.sub(d1, d3), two, f32x4.sub(d4, d2)), lanes);
}

/** Input k of a band starting at image row h0 (k < n exist; row h0 < 0 is padding), or zeros. */
@inline
function bandInput(p: usize, stride: usize, k: i32, h0: i32, n: i32): v128 {
  return (k > 0 || h0 >= 0) && k < n ? v128.load(p + <usize>k * stride) : f32x4.splat(0);
}

/**
 * The F(6,3) transforms' constants as vectors in memory. Their loops need more than the 16 vector
 * registers, and V8 then rebuilds a v128 constant at every use (three instructions) where a load is
 * one: 1–5 % off the 3×1 convs (measured; the F(4,3) transforms keep theirs in registers).
 */
const F63: usize = memory.data<f32>([
  -4.25, -4.25, -4.25, -4.25,
  -1.25, -1.25, -1.25, -1.25,
  0.25, 0.25, 0.25, 0.25,
  2.0, 2.0, 2.0, 2.0,
  -2.5, -2.5, -2.5, -2.5,
  0.5, 0.5, 0.5, 0.5,
  4.0, 4.0, 4.0, 4.0,
  5.25, 5.25, 5.25, 5.25,
  0.125, 0.125, 0.125, 0.125,
  8.0, 8.0, 8.0, 8.0,
  0.0625, 0.0625, 0.0625, 0.0625,
  16.0, 16.0, 16.0, 16.0,
  0.03125, 0.03125, 0.03125, 0.03125,
  32.0, 32.0, 32.0, 32.0
], 16);

/** The F63 vector of c (c is a compile-time constant, so the comparisons fold; any other c: a splat). */
@inline
function f63(c: f32): v128 {
  if (c == -4.25) return v128.load(F63, 0);
  if (c == -1.25) return v128.load(F63, 16);
  if (c == 0.25) return v128.load(F63, 32);
  if (c == 2.0) return v128.load(F63, 48);
  if (c == -2.5) return v128.load(F63, 64);
  if (c == 0.5) return v128.load(F63, 80);
  if (c == 4.0) return v128.load(F63, 96);
  if (c == 5.25) return v128.load(F63, 112);
  if (c == 0.125) return v128.load(F63, 128);
  if (c == 8.0) return v128.load(F63, 144);
  if (c == 0.0625) return v128.load(F63, 160);
  if (c == 16.0) return v128.load(F63, 176);
  if (c == 0.03125) return v128.load(F63, 192);
  if (c == 32.0) return v128.load(F63, 208);
  return f32x4.splat(c);
}

/** Bᵀ·d of F(6,3) for one channel vector: the 8 transformed rows at dst + ξ·slice. */
@inline
function transformIn6(
  d0: v128,
  d1: v128,
  d2: v128,
  d3: v128,
  d4: v128,
  d5: v128,
  d6: v128,
  d7: v128,
  dst: usize,
  slice: usize,
  lanes: i32,
): void {
  const t1 = madd(d4, f63(-4.25), f32x4.add(d2, d6));
  const t2 = madd(d3, f63(-4.25), f32x4.add(d1, d5));
  const t3 = madd(d4, f63(-1.25), madd(d2, f63(0.25), d6));
  const t4 = madd(d5, f63(2), madd(d3, f63(-2.5), f32x4.mul(d1, f63(0.5))));
  const t5 = madd(madd(d4, f63(-1.25), d2), f63(4), d6);
  const t6 = madd(d5, f63(0.5), madd(d3, f63(-2.5), f32x4.add(d1, d1)));
  storeLanes(dst, madd(f32x4.sub(d4, d2), f63(5.25), f32x4.sub(d0, d6)), lanes);
  storeLanes(dst + slice, f32x4.add(t1, t2), lanes);
  storeLanes(dst + 2 * slice, f32x4.sub(t1, t2), lanes);
  storeLanes(dst + 3 * slice, f32x4.add(t3, t4), lanes);
  storeLanes(dst + 4 * slice, f32x4.sub(t3, t4), lanes);
  storeLanes(dst + 5 * slice, f32x4.add(t5, t6), lanes);
  storeLanes(dst + 6 * slice, f32x4.sub(t5, t6), lanes);
  storeLanes(dst + 7 * slice, madd(f32x4.sub(d3, d5), f63(5.25), f32x4.sub(d7, d1)), lanes);
}

/**
 * V[ξ][i][C] of a 3×1 conv for tile rows R0 .. R0+rows (tile row = `tile` image rows of one image,
 * W tiles, one per column); input k of a tile is image row tile·r − 1 + k, zero outside the image.
 */
function inputTransformBands(
  x: usize,
  v: usize,
  slice: usize,
  R0: i32,
  rows: i32,
  rowsPerImage: i32,
  H: i32,
  W: i32,
  C: i32,
  tile: i32,
): void {
  const row = (<usize>C) << 2;
  const stride = <usize>W * row;
  let dst = v;
  let b = R0 / rowsPerImage; // image and tile row of R, kept by counting (see outputTransformRows)
  let r = R0 % rowsPerImage;
  for (let R = R0; R < R0 + rows; R++) {
    const h0 = r * tile - 1; // image row of input 0
    const base = x + <usize>((b * H + h0) * W) * row;
    for (let c = 0; c < C; c += 4) {
      const o = (<usize>c) << 2;
      bandLine(base + o, dst + o, stride, row, slice, W, h0, H - h0, tile, min(4, C - c));
    }
    dst += <usize>W * row;
    if (++r == rowsPerImage) {
      r = 0;
      b++;
    }
  }
}

/**
 * Bᵀ·d of one channel vector for the W tiles of a band (column i's input k at p + i·row + k·stride,
 * V row at dst + i·row); inputs k < n exist, and k ≥ 1 when the band starts at h0 < 0. Walking one
 * channel vector along the band (pointer steps only, the edge tests invariant) instead of every
 * channel of one tile: 10–16 % off the 3×1 convs at 16 to 64 channels (measured, with wholeBand).
 */
function bandLine(
  p: usize,
  dst: usize,
  stride: usize,
  row: usize,
  slice: usize,
  W: i32,
  h0: i32,
  n: i32,
  tile: i32,
  lanes: i32,
): void {
  const whole = h0 >= 0 && n >= tile + 2 && lanes == 4;
  for (let i = 0; i < W; i++) {
    if (tile == 4) {
      transformIn(
        bandInput(p, stride, 0, h0, n), bandInput(p, stride, 1, h0, n), bandInput(p, stride, 2, h0, n),
        bandInput(p, stride, 3, h0, n), bandInput(p, stride, 4, h0, n), bandInput(p, stride, 5, h0, n),
        dst, slice, lanes,
      ); // prettier-ignore
    } else if (tile == 3) {
      // Only the reference encoder's height 3 takes F(3,3) in practice: every band is an edge.
      transformIn3(
        bandInput(p, stride, 0, h0, n), bandInput(p, stride, 1, h0, n), bandInput(p, stride, 2, h0, n),
        bandInput(p, stride, 3, h0, n), bandInput(p, stride, 4, h0, n), dst, slice, lanes,
      ); // prettier-ignore
    } else if (whole) {
      transformIn6(
        v128.load(p), v128.load(p + stride), v128.load(p + 2 * stride), v128.load(p + 3 * stride),
        v128.load(p + 4 * stride), v128.load(p + 5 * stride), v128.load(p + 6 * stride),
        v128.load(p + 7 * stride), dst, slice, 4,
      ); // prettier-ignore
    } else {
      // An edge band (every band at heights 6 and 12) or a channel tail; loads may read past a
      // row's end (the arena's slack), stores may not.
      transformIn6(
        bandInput(p, stride, 0, h0, n), bandInput(p, stride, 1, h0, n), bandInput(p, stride, 2, h0, n),
        bandInput(p, stride, 3, h0, n), bandInput(p, stride, 4, h0, n), bandInput(p, stride, 5, h0, n),
        bandInput(p, stride, 6, h0, n), bandInput(p, stride, 7, h0, n), dst, slice, lanes,
      ); // prettier-ignore
    }
    p += row;
    dst += row;
  }
}

/** As storeTile, for F(6,3): outputs k < valid of one tile and channel vector at p + k·stride. */
@inline
function storeTile6(
  q: usize,
  slice: usize,
  bias: v128,
  floor: v128,
  p: usize,
  stride: usize,
  valid: i32,
  lanes: i32,
): void {
  const m1 = v128.load(q + slice);
  const m2 = v128.load(q + 2 * slice);
  const m3 = v128.load(q + 3 * slice);
  const m4 = v128.load(q + 4 * slice);
  const m5 = v128.load(q + 5 * slice);
  const m6 = v128.load(q + 6 * slice);
  const s1 = f32x4.add(f32x4.add(m1, m2), bias);
  const e1 = f32x4.add(f32x4.sub(m1, m2), bias);
  const s2 = f32x4.add(m3, m4);
  const e2 = f32x4.sub(m3, m4);
  const s3 = f32x4.add(m5, m6);
  const e3 = f32x4.sub(m5, m6);
  const y0 = f32x4.add(f32x4.add(v128.load(q), s1), f32x4.add(s2, s3));
  storeLanes(p, f32x4.pmax(y0, floor), lanes);
  if (valid > 1) storeLanes(p + stride, f32x4.pmax(madd(e3, f63(0.5), madd(e2, f63(2), e1)), floor), lanes);
  if (valid > 2) storeLanes(p + 2 * stride, f32x4.pmax(madd(s3, f63(0.25), madd(s2, f63(4), s1)), floor), lanes);
  if (valid > 3) storeLanes(p + 3 * stride, f32x4.pmax(madd(e3, f63(0.125), madd(e2, f63(8), e1)), floor), lanes);
  if (valid > 4) storeLanes(p + 4 * stride, f32x4.pmax(madd(s3, f63(0.0625), madd(s2, f63(16), s1)), floor), lanes);
  if (valid > 5) {
    const y5 = f32x4.add(madd(e3, f63(0.03125), madd(e2, f63(32), e1)), v128.load(q + 7 * slice));
    storeLanes(p + 5 * stride, f32x4.pmax(y5, floor), lanes);
  }
}

/** As storeTile, for F(3,3): outputs k < valid of one tile and channel vector at p + k·stride. */
@inline
function storeTile3(
  q: usize,
  slice: usize,
  bias: v128,
  floor: v128,
  p: usize,
  stride: usize,
  valid: i32,
  lanes: i32,
): void {
  const m1 = v128.load(q + slice);
  const m2 = v128.load(q + 2 * slice);
  const m3 = v128.load(q + 3 * slice);
  const s12 = f32x4.add(f32x4.add(m1, m2), bias);
  storeLanes(p, f32x4.pmax(f32x4.add(f32x4.add(v128.load(q), s12), m3), floor), lanes);
  if (valid > 1) {
    const y1 = madd(m3, f32x4.splat(2), f32x4.add(f32x4.sub(m1, m2), bias));
    storeLanes(p + stride, f32x4.pmax(y1, floor), lanes);
  }
  if (valid > 2) {
    const y2 = f32x4.add(madd(m3, f32x4.splat(4), s12), v128.load(q + 4 * slice));
    storeLanes(p + 2 * stride, f32x4.pmax(y2, floor), lanes);
  }
}

/**
 * Stores one band of whole tiles (N a multiple of 4) per channel vector along the band: the outputs'
 * valid-row and lane tests fold away, and the addresses step instead of being recomputed per tile.
 */
function wholeBand(
  m: usize,
  slice: usize,
  bias: usize,
  floor: v128,
  first: usize,
  stride: usize,
  mRow: usize,
  rowN: usize,
  W: i32,
  N: i32,
  tile: i32,
): void {
  for (let n = 0; n < N; n += 4) {
    const o = (<usize>n) << 2;
    const bv = bias == 0 ? f32x4.splat(0) : v128.load(bias + o);
    let q = m + o;
    let p = first + o;
    for (let i = 0; i < W; i++) {
      if (tile == 6) storeTile6(q, slice, bv, floor, p, stride, 6, 4);
      else if (tile == 4) storeTile(q, slice, bv, floor, p, stride, 4, 4);
      else storeTile3(q, slice, bv, floor, p, stride, 3, 4);
      q += mRow;
      p += rowN;
    }
  }
}

/** Stores act(bias + Aᵀ·M) of a 3×1 conv for the chunk's tiles (tile rows R0 .. R0+rows). */
function outputTransformBands(
  m: usize,
  slice: usize,
  bias: usize,
  y: usize,
  R0: i32,
  rows: i32,
  rowsPerImage: i32,
  H: i32,
  W: i32,
  N: i32,
  Np: i32,
  relu: bool,
  tile: i32,
): void {
  const rowN = (<usize>N) << 2;
  const mRow = (<usize>Np) << 2;
  const stride = <usize>W * rowN;
  const floor = relu ? f32x4.splat(0) : f32x4.splat(-Infinity);
  let src = m;
  let b = R0 / rowsPerImage; // image and tile row of R, kept by counting (see outputTransformRows)
  let r = R0 % rowsPerImage;
  for (let R = R0; R < R0 + rows; R++) {
    const h0 = r * tile;
    const valid = min(tile, H - h0);
    if (valid == tile && (N & 3) == 0) {
      wholeBand(src, slice, bias, floor, y + <usize>((b * H + h0) * W) * rowN, stride, mRow, rowN, W, N, tile);
      src += <usize>W * mRow;
    } else {
      for (let i = 0; i < W; i++) {
        const first = y + <usize>((b * H + h0) * W + i) * rowN;
        for (let n = 0; n < N; n += 4) {
          const o = (<usize>n) << 2;
          const lanes = min(4, N - n);
          const bv = bias == 0 ? f32x4.splat(0) : v128.load(bias + o);
          if (tile == 4) storeTile(src + o, slice, bv, floor, first + o, stride, valid, lanes);
          else if (tile == 6) storeTile6(src + o, slice, bv, floor, first + o, stride, valid, lanes);
          else storeTile3(src + o, slice, bv, floor, first + o, stride, valid, lanes);
        }
        src += mRow;
      }
    }
    if (++r == rowsPerImage) {
      r = 0;
      b++;
    }
  }
}

/**
 * Bytes between consecutive ξ slices of V and M beyond their data. Unpadded slices are often a
 * multiple of 4 KiB, so the transforms' α loads of one tile would share an L1 set: 3 % on the 3×1
 * convs (measured).
 */
const SLICE_PAD: usize = 256;

/**
 * y = act(conv(x, w) + bias) (pool == 0), or its 2×2 max-pool (pool != 0: 1×3 with W a multiple of
 * 4), by F(4,3) (tile 4) or, for 3×1 without pool, F(6,3) or F(3,3) (tile 6 or 3), over chunks of
 * `chunkRows` tile rows (even with pool). up from wino_pack_weights with the same tile; workspace
 * v: α·(Pc·C + 64) + 4·C floats and m: α·(Pc·Np + 64) floats (64 floats: SLICE_PAD), α = tile + 2,
 * Pc = chunkRows · (tiles per tile row), Np = 8·ceil(N/8).
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
  chunkRows: i32,
  tile: i32,
): void {
  const alpha = tile + 2;
  const Np = ((N + 7) >> 3) << 3;
  const rowC = (<usize>C) << 2;
  const rowN = (<usize>Np) << 2;
  const tilesInRow = along ? (W + 3) >> 2 : W;
  // With the pool an odd last image row has no partner and is never read.
  const rowsPerImage = along ? (pool ? H & ~1 : H) : (H + tile - 1) / tile;
  const totalRows = B * rowsPerImage;
  const panelBytes = (<usize>(C * 8)) << 2;
  store<usize>(tapOffsets, 0); // rows of V are contiguous: one tap at offset 0
  for (let R0 = 0; R0 < totalRows; R0 += chunkRows) {
    const rows = min(chunkRows, totalRows - R0);
    const P = rows * tilesInRow;
    const sliceV = <usize>P * rowC + SLICE_PAD;
    const sliceM = <usize>P * rowN + SLICE_PAD;
    if (along) inputTransformRows(x, v, sliceV, R0, rows, rowsPerImage, H, W, C);
    else inputTransformBands(x, v, sliceV, R0, rows, rowsPerImage, H, W, C, tile);
    // α GEMMs M[ξ] = V[ξ]·U[ξ], one 8-column panel of U at a time over all of the chunk's tiles: the
    // panel stays in L1 while V's rows stream (0–3 % over the tile-major order, measured).
    for (let xi = 0; xi < alpha; xi++) {
      const vs = v + <usize>xi * sliceV;
      const ms = m + <usize>xi * sliceM;
      let panel = up + <usize>xi * <usize>(Np >> 3) * panelBytes;
      for (let n0 = 0; n0 < Np; n0 += 8) {
        for (let r = 0; r < P; r += 4) {
          const n4 = min(4, P - r);
          const anchor = vs + <usize>r * rowC;
          const out = ms + <usize>r * rowN + ((<usize>n0) << 2);
          // A last group of fewer than 4 rows reads (and discards) rows past P: v has 4 spare rows.
          // Rows a compile-time distance apart where the K loop is short (see tileRows).
          if (C == 16) tileRows<Row16>(anchor, 0, 1, C, panel, 0, false, false, out, rowN, n4, 8);
          else if (C == 32) tileRows<Row32>(anchor, 0, 1, C, panel, 0, false, false, out, rowN, n4, 8);
          else tile4x8(anchor, rowC, 2 * rowC, 0, 1, C, panel, 0, false, false, out, rowN, n4, 8);
        }
        panel += panelBytes;
      }
    }
    countTiles(alpha * ((P + 3) >> 2) * (Np >> 3));
    if (along) outputTransformRows(m, sliceM, bias, y, R0, rows, rowsPerImage, H, W, N, Np, relu != 0, pool != 0);
    else outputTransformBands(m, sliceM, bias, y, R0, rows, rowsPerImage, H, W, N, Np, relu != 0, tile);
  }
}

// F(2,2) for a 1×3 'same' convolution over width 2, where the outer taps each meet one input:
//   y0 = x0·w1 + x1·w2,  y1 = x0·w0 + x1·w1  (w_t: C×N)
// takes 3 products per row instead of 4 with m = (x0 + x1)·w1:
//   y0 = m + x1·(w2 − w1),  y1 = m + x0·(w0 − w1).
// The three products are plain GEMMs over rows (the 1×1 conv kernel); these two kernels are the
// transforms around them.

/** For each row r of x [rows][2][C]: s[r] = x0 + x1, and x0, x1 copied out to their own arrays. */
export function wino2_split(x: usize, s: usize, x0: usize, x1: usize, rows: i32, C: i32): void {
  const row = (<usize>C) << 2;
  for (let r = 0; r < rows; r++) {
    const src = x + 2 * <usize>r * row;
    const o = <usize>r * row;
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const b = (<usize>c) << 2;
      const a0 = v128.load(src + b);
      const a1 = v128.load(src + row + b);
      storeLanes(s + o + b, f32x4.add(a0, a1), lanes);
      storeLanes(x0 + o + b, a0, lanes);
      storeLanes(x1 + o + b, a1, lanes);
    }
  }
}

/** y [rows][2][N]: y0 = act(m + a), y1 = act(m + b), from m, a, b [rows][N] (the bias is in m). */
export function wino2_join(m: usize, a: usize, b: usize, y: usize, rows: i32, N: i32, relu: i32): void {
  const row = (<usize>N) << 2;
  const floor = relu ? f32x4.splat(0) : f32x4.splat(-Infinity);
  for (let r = 0; r < rows; r++) {
    const i = <usize>r * row;
    const dst = y + 2 * i;
    for (let n = 0; n < N; n += 4) {
      const lanes = min(4, N - n);
      const o = (<usize>n) << 2;
      const mv = v128.load(m + i + o);
      storeLanes(dst + o, f32x4.pmax(f32x4.add(mv, v128.load(a + i + o)), floor), lanes);
      storeLanes(dst + row + o, f32x4.pmax(f32x4.add(mv, v128.load(b + i + o)), floor), lanes);
    }
  }
}
