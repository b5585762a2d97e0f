// The 4×8 register tile shared by the convolution kernels (wasm/conv.ts) and Winograd
// (wasm/winograd.ts): 4 rows of A times a packed 8-column panel of weights, 8 f32x4 accumulators
// (more spill on V8's 16 xmm registers; measured). Internal: not exported from the module.

import { madd, storeLanes, storeRow8 } from './lanes';

/** Largest kh·kw of a convolution (its pointer tables hold 4 rows of this many taps per tile). */
export const MAX_TAPS: i32 = 4096;

/** Byte offset of each tap from a receptive field's anchor row, for tiles that need no table. */
export const tapOffsets: usize = memory.data(MAX_TAPS << 2, 16);

/**
 * SIMD tiles computed so far; tests read it to prove which path ran. Kernels add their tiles once
 * per call or chunk: an increment in the tile itself cost ~3 % of a small-K layer (a float global
 * in instance memory, measured).
 */
let simdTiles: f64 = 0;

export function countTiles(n: i32): void {
  simdTiles += n;
}

export function tilesComputed(): f64 {
  return simdTiles;
}

/**
 * The end of a 4×8 register tile: ReLU, then the 4 rows (`rows` of them, `cols` lanes) at
 * out + r·ldo, or with `pool` their maximum (a 2×2 window) as one row.
 */
@inline
function storeTile4x8(
  c00: v128,
  c01: v128,
  c10: v128,
  c11: v128,
  c20: v128,
  c21: v128,
  c30: v128,
  c31: v128,
  relu: bool,
  pool: bool,
  out: usize,
  ldo: usize,
  rows: i32,
  cols: i32,
): void {
  // pmax(a, b) = a < b ? b : a is one maxps; max's NaN and ±0 rules cost about 7 instructions per
  // vector (measured in V8's code), a fifth of a small-K tile. Inference inputs are finite (the front
  // end rejects non-finite audio), and pmax(x, 0) keeps a NaN anyway.
  const z = f32x4.splat(0);
  if (pool) {
    // ReLU commutes with max, so it applies to the two pooled vectors instead of the eight
    // accumulators.
    let m0 = f32x4.pmax(f32x4.pmax(c00, c10), f32x4.pmax(c20, c30));
    let m1 = f32x4.pmax(f32x4.pmax(c01, c11), f32x4.pmax(c21, c31));
    if (relu) {
      m0 = f32x4.pmax(m0, z);
      m1 = f32x4.pmax(m1, z);
    }
    storeRow8(out, m0, m1, cols);
    return;
  }
  if (relu) {
    c00 = f32x4.pmax(c00, z);
    c01 = f32x4.pmax(c01, z);
    c10 = f32x4.pmax(c10, z);
    c11 = f32x4.pmax(c11, z);
    c20 = f32x4.pmax(c20, z);
    c21 = f32x4.pmax(c21, z);
    c30 = f32x4.pmax(c30, z);
    c31 = f32x4.pmax(c31, z);
  }
  storeRow8(out, c00, c01, cols);
  if (rows > 1) storeRow8(out + ldo, c10, c11, cols);
  if (rows > 2) storeRow8(out + 2 * ldo, c20, c21, cols);
  if (rows > 3) storeRow8(out + 3 * ldo, c30, c31, cols);
}

/**
 * out[4 rows][cols ≤ 8] = bias + Σ_t Σ_c row(r, t)[c] · panel[t][c][0..8], then optional ReLU.
 * Rows 0..3 of tap t are at anchor + tapOffsets[t] + {0, step, step2, step2 + step} when anchor ≠ 0
 * (a tile inside the image); otherwise `tbl` holds 4 consecutive table rows of T pointers each.
 * Only `rows` rows and `cols` columns are stored; with `pool` the 4 rows are a 2×2 window and only
 * their maximum is stored, as one row.
 * Inlined into each caller, where its constant arguments (one tap and no bias in Winograd, no pool
 * in the plain conv) fold away: about 6% on the reference encoder (measured).
 */
@inline
export function tile4x8(
  anchor: usize,
  step: usize,
  step2: usize,
  tbl: usize,
  T: i32,
  C: i32,
  panel: usize,
  bias: usize,
  relu: bool,
  pool: bool,
  out: usize,
  ldo: usize,
  rows: i32,
  cols: i32,
): void {
  let c00 = f32x4.splat(0);
  let c01 = c00;
  if (bias != 0) {
    c00 = v128.load(bias);
    c01 = v128.load(bias, 16);
  }
  let c10 = c00,
    c11 = c01,
    c20 = c00,
    c21 = c01,
    c30 = c00,
    c31 = c01;
  const rowStride = (<usize>T) << 2;
  let w = panel;
  let e = tbl;
  for (let t = 0; t < T; t++) {
    let p0: usize, p1: usize, p2: usize, p3: usize;
    if (anchor != 0) {
      p0 = anchor + load<usize>(tapOffsets + ((<usize>t) << 2));
      p1 = p0 + step;
      p2 = p0 + step2;
      p3 = p2 + step;
    } else {
      p0 = load<usize>(e);
      p1 = load<usize>(e + rowStride);
      p2 = load<usize>(e + 2 * rowStride);
      p3 = load<usize>(e + 3 * rowStride);
      e += 4;
    }
    for (let c = 0; c < C; c++) {
      const w0 = v128.load(w);
      const w1 = v128.load(w, 16);
      let a = v128.load32_splat(p0);
      c00 = madd(a, w0, c00);
      c01 = madd(a, w1, c01);
      a = v128.load32_splat(p1);
      c10 = madd(a, w0, c10);
      c11 = madd(a, w1, c11);
      a = v128.load32_splat(p2);
      c20 = madd(a, w0, c20);
      c21 = madd(a, w1, c21);
      a = v128.load32_splat(p3);
      c30 = madd(a, w0, c30);
      c31 = madd(a, w1, c31);
      p0 += 4;
      p1 += 4;
      p2 += 4;
      p3 += 4;
      w += 32;
    }
  }
  storeTile4x8(c00, c01, c10, c11, c20, c21, c30, c31, relu, pool, out, ldo, rows, cols);
}

/** The 4 row pointers of tap t of a tile: affine from its anchor, or from its pointer table. */
@inline
function tapRow(anchor: usize, step: usize, step2: usize, tbl: usize, T: i32, t: i32, r: i32): usize {
  if (anchor != 0) {
    const p0 = anchor + load<usize>(tapOffsets + ((<usize>t) << 2));
    return p0 + (r & 1 ? step : 0) + (r & 2 ? step2 : 0);
  }
  return load<usize>(tbl + ((<usize>(r * T + t)) << 2));
}

/**
 * For at most 4 output channels: two 4-row tiles (A and B, each described as for tile4x8) against
 * the first 4 columns of the panel, 8 f32x4 accumulators. tile4x8 would compute 8 columns of which
 * half or more are padding; here every multiply-add is useful. B may repeat A (then rowsB = 0:
 * computed, not stored) when a chunk has an odd number of tiles.
 */
@inline
export function tile8x4(
  anchorA: usize,
  tblA: usize,
  anchorB: usize,
  tblB: usize,
  step: usize,
  step2: usize,
  T: i32,
  C: i32,
  panel: usize,
  bias: usize,
  relu: bool,
  pool: bool,
  outA: usize,
  outB: usize,
  ldo: usize,
  rowsA: i32,
  rowsB: i32,
  cols: i32,
): void {
  let a0 = f32x4.splat(0);
  if (bias != 0) a0 = v128.load(bias);
  let a1 = a0,
    a2 = a0,
    a3 = a0,
    b0 = a0,
    b1 = a0,
    b2 = a0,
    b3 = a0;
  let w = panel;
  for (let t = 0; t < T; t++) {
    let pa0 = tapRow(anchorA, step, step2, tblA, T, t, 0);
    let pa1 = tapRow(anchorA, step, step2, tblA, T, t, 1);
    let pa2 = tapRow(anchorA, step, step2, tblA, T, t, 2);
    let pa3 = tapRow(anchorA, step, step2, tblA, T, t, 3);
    let pb0 = tapRow(anchorB, step, step2, tblB, T, t, 0);
    let pb1 = tapRow(anchorB, step, step2, tblB, T, t, 1);
    let pb2 = tapRow(anchorB, step, step2, tblB, T, t, 2);
    let pb3 = tapRow(anchorB, step, step2, tblB, T, t, 3);
    for (let c = 0; c < C; c++) {
      const wv = v128.load(w);
      a0 = madd(v128.load32_splat(pa0), wv, a0);
      a1 = madd(v128.load32_splat(pa1), wv, a1);
      a2 = madd(v128.load32_splat(pa2), wv, a2);
      a3 = madd(v128.load32_splat(pa3), wv, a3);
      b0 = madd(v128.load32_splat(pb0), wv, b0);
      b1 = madd(v128.load32_splat(pb1), wv, b1);
      b2 = madd(v128.load32_splat(pb2), wv, b2);
      b3 = madd(v128.load32_splat(pb3), wv, b3);
      pa0 += 4;
      pa1 += 4;
      pa2 += 4;
      pa3 += 4;
      pb0 += 4;
      pb1 += 4;
      pb2 += 4;
      pb3 += 4;
      w += 32;
    }
  }
  const floor = relu ? f32x4.splat(0) : f32x4.splat(-Infinity);
  if (pool) {
    // ReLU after the max, as in tile4x8.
    storeLanes(outA, f32x4.pmax(f32x4.pmax(f32x4.pmax(a0, a1), f32x4.pmax(a2, a3)), floor), cols);
    if (rowsB > 0) storeLanes(outB, f32x4.pmax(f32x4.pmax(f32x4.pmax(b0, b1), f32x4.pmax(b2, b3)), floor), cols);
    return;
  }
  if (relu) {
    a0 = f32x4.pmax(a0, floor);
    a1 = f32x4.pmax(a1, floor);
    a2 = f32x4.pmax(a2, floor);
    a3 = f32x4.pmax(a3, floor);
    b0 = f32x4.pmax(b0, floor);
    b1 = f32x4.pmax(b1, floor);
    b2 = f32x4.pmax(b2, floor);
    b3 = f32x4.pmax(b3, floor);
  }
  storeLanes(outA, a0, cols);
  if (rowsA > 1) storeLanes(outA + ldo, a1, cols);
  if (rowsA > 2) storeLanes(outA + 2 * ldo, a2, cols);
  if (rowsA > 3) storeLanes(outA + 3 * ldo, a3, cols);
  if (rowsB > 0) storeLanes(outB, b0, cols);
  if (rowsB > 1) storeLanes(outB + ldo, b1, cols);
  if (rowsB > 2) storeLanes(outB + 2 * ldo, b2, cols);
  if (rowsB > 3) storeLanes(outB + 3 * ldo, b3, cols);
}

/**
 * One-input-channel conv (conv2d_forward_c1), 4 output pixels of a row × 8 output channels:
 * act(b + Σ_t x_t·w_t) for up to 3 taps at p, p + o1, p + o2, pixel k's input at +4k bytes, stored
 * (`cols` ≤ 8 lanes) at out + k·ldw. Each input value is broadcast once for both 4-channel halves;
 * eight independent multiply-add chains stay in flight (one pixel at a time is bound by a single
 * chain's latency, measured).
 */
@inline
export function c1Tile(
  p: usize,
  o1: usize,
  o2: usize,
  T: i32,
  w00: v128,
  w01: v128,
  w10: v128,
  w11: v128,
  w20: v128,
  w21: v128,
  b0: v128,
  b1: v128,
  relu: bool,
  out: usize,
  ldw: usize,
  cols: i32,
): void {
  let a = v128.load32_splat(p);
  let x0 = madd(a, w00, b0);
  let x1 = madd(a, w01, b1);
  a = v128.load32_splat(p, 4);
  let y0 = madd(a, w00, b0);
  let y1 = madd(a, w01, b1);
  a = v128.load32_splat(p, 8);
  let u0 = madd(a, w00, b0);
  let u1 = madd(a, w01, b1);
  a = v128.load32_splat(p, 12);
  let v0 = madd(a, w00, b0);
  let v1 = madd(a, w01, b1);
  if (T > 1) {
    a = v128.load32_splat(p + o1);
    x0 = madd(a, w10, x0);
    x1 = madd(a, w11, x1);
    a = v128.load32_splat(p + o1, 4);
    y0 = madd(a, w10, y0);
    y1 = madd(a, w11, y1);
    a = v128.load32_splat(p + o1, 8);
    u0 = madd(a, w10, u0);
    u1 = madd(a, w11, u1);
    a = v128.load32_splat(p + o1, 12);
    v0 = madd(a, w10, v0);
    v1 = madd(a, w11, v1);
  }
  if (T > 2) {
    a = v128.load32_splat(p + o2);
    x0 = madd(a, w20, x0);
    x1 = madd(a, w21, x1);
    a = v128.load32_splat(p + o2, 4);
    y0 = madd(a, w20, y0);
    y1 = madd(a, w21, y1);
    a = v128.load32_splat(p + o2, 8);
    u0 = madd(a, w20, u0);
    u1 = madd(a, w21, u1);
    a = v128.load32_splat(p + o2, 12);
    v0 = madd(a, w20, v0);
    v1 = madd(a, w21, v1);
  }
  if (relu) {
    const z = f32x4.splat(0);
    x0 = f32x4.pmax(x0, z);
    x1 = f32x4.pmax(x1, z);
    y0 = f32x4.pmax(y0, z);
    y1 = f32x4.pmax(y1, z);
    u0 = f32x4.pmax(u0, z);
    u1 = f32x4.pmax(u1, z);
    v0 = f32x4.pmax(v0, z);
    v1 = f32x4.pmax(v1, z);
  }
  storeRow8(out, x0, x1, cols);
  storeRow8(out + ldw, y0, y1, cols);
  storeRow8(out + 2 * ldw, u0, u1, cols);
  storeRow8(out + 3 * ldw, v0, v1, cols);
}

/**
 * One output row of the one-input-channel conv (conv2d_forward_c1) for output channels
 * n0 .. n0+cols (weights wn = w + n0, w [T, N] unpacked, rows ldw bytes apart; bias likewise or 0):
 * pixels ow = 0 .. OW−1 of input row ih0 = oh·sh − pt of the H×W image at img, stored at
 * out + ow·ldo. The taps' weights stay in registers (up to 3 taps, the paper's 3×1 and 1×3
 * kernels; more taps reload them) and each output pixel costs one broadcast and two multiply-adds
 * per tap.
 */
export function c1Row(
  img: usize,
  H: i32,
  W: i32,
  OW: i32,
  ih0: i32,
  kh: i32,
  kw: i32,
  sw: i32,
  pl: i32,
  o1: usize,
  o2: usize,
  wn: usize,
  ldw: usize,
  bn: usize,
  relu: bool,
  cols: i32,
  out: usize,
  ldo: usize,
): void {
  const T = kh * kw;
  const z = f32x4.splat(0);
  // Taps past T read finite weights of the next rows (or the arena's slack) and are never used.
  const w00 = v128.load(wn);
  const w01 = v128.load(wn, 16);
  const w10 = v128.load(wn + ldw);
  const w11 = v128.load(wn + ldw, 16);
  const w20 = v128.load(wn + 2 * ldw);
  const w21 = v128.load(wn + 2 * ldw, 16);
  const b0 = bn == 0 ? z : v128.load(bn);
  const b1 = bn == 0 ? z : v128.load(bn, 16);
  const rowInside = ih0 >= 0 && ih0 + kh <= H;
  let ow = 0;
  if (kw == 1 && sw == 1 && T <= 3 && rowInside) {
    // A whole row of a 3×1 (or shorter) kernel: 4 pixels per step (c1Tile; the reference encoder's
    // first layer 1.44 → 0.82 ms per batch of 64, measured).
    let p = img + ((<usize>(ih0 * W - pl)) << 2);
    for (; ow + 4 <= OW; ow += 4) {
      c1Tile(p, o1, o2, T, w00, w01, w10, w11, w20, w21, b0, b1, relu, out, ldo, cols);
      out += ldo << 2;
      p += 16;
    }
  }
  for (; ow < OW; ow++) {
    const iw0 = ow * sw - pl;
    let c0 = b0;
    let c1 = b1;
    if (T <= 3 && rowInside && iw0 >= 0 && iw0 + kw <= W) {
      const p = img + ((<usize>(ih0 * W + iw0)) << 2);
      let a = v128.load32_splat(p);
      c0 = madd(a, w00, c0);
      c1 = madd(a, w01, c1);
      if (T > 1) {
        a = v128.load32_splat(p + o1);
        c0 = madd(a, w10, c0);
        c1 = madd(a, w11, c1);
      }
      if (T > 2) {
        a = v128.load32_splat(p + o2);
        c0 = madd(a, w20, c0);
        c1 = madd(a, w21, c1);
      }
    } else {
      let wt = wn;
      for (let i = 0; i < kh; i++) {
        const ih = ih0 + i;
        for (let j = 0; j < kw; j++) {
          const iw = iw0 + j;
          if (<u32>ih < <u32>H && <u32>iw < <u32>W) {
            const a = v128.load32_splat(img + ((<usize>(ih * W + iw)) << 2));
            c0 = madd(a, v128.load(wt), c0);
            c1 = madd(a, v128.load(wt, 16), c1);
          }
          wt += ldw;
        }
      }
    }
    if (relu) {
      c0 = f32x4.pmax(c0, z);
      c1 = f32x4.pmax(c1, z);
    }
    storeRow8(out, c0, c1, cols);
    out += ldo;
  }
}

/**
 * Rows of 8, 16 or 32 input channels. Their byte size (offsetof) is a compile-time constant, the
 * distance between the rows of tileRows: V8 folds it into the addressing of its loads, where a
 * runtime distance costs an add per row and K step.
 */
@unmanaged
export class Row8 {
  c0: v128;
  c1: v128;
}

@unmanaged
export class Row16 {
  c0: v128;
  c1: v128;
  c2: v128;
  c3: v128;
}

@unmanaged
export class Row32 {
  c0: v128;
  c1: v128;
  c2: v128;
  c3: v128;
  c4: v128;
  c5: v128;
  c6: v128;
  c7: v128;
}

/**
 * tile4x8 (same arguments and result) for rows d = offsetof<R>() bytes apart: rows p, p + d,
 * p + 2d, p + 3d of tap t (p = anchor + tapOffsets[t]), or with `pool` the 2×2 window p, p + d,
 * q, q + d (q = p + step2). The K loop steps one pointer (two for a window) instead of four: 5–12 %
 * on the layers with 8 to 16 input channels (measured).
 */
@inline
export function tileRows<R>(
  anchor: usize,
  step2: usize,
  T: i32,
  K: i32,
  panel: usize,
  bias: usize,
  relu: bool,
  pool: bool,
  out: usize,
  ldo: usize,
  rows: i32,
  cols: i32,
): void {
  let c00 = f32x4.splat(0);
  let c01 = c00;
  if (bias != 0) {
    c00 = v128.load(bias);
    c01 = v128.load(bias, 16);
  }
  let c10 = c00,
    c11 = c01,
    c20 = c00,
    c21 = c01,
    c30 = c00,
    c31 = c01;
  let w = panel;
  for (let t = 0; t < T; t++) {
    // Tap 0 is the anchor itself (offset 0) in every caller's table.
    let p = t == 0 ? anchor : anchor + load<usize>(tapOffsets + ((<usize>t) << 2));
    let q = p + step2;
    for (let k = 0; k < K; k++) {
      const w0 = v128.load(w);
      const w1 = v128.load(w, 16);
      let x = v128.load32_splat(p);
      c00 = madd(x, w0, c00);
      c01 = madd(x, w1, c01);
      x = v128.load32_splat(p, offsetof<R>());
      c10 = madd(x, w0, c10);
      c11 = madd(x, w1, c11);
      // An if, not a select: a select would keep both loads (loads may trap, so they are not dead).
      if (pool) x = v128.load32_splat(q);
      else x = v128.load32_splat(p, 2 * offsetof<R>());
      c20 = madd(x, w0, c20);
      c21 = madd(x, w1, c21);
      if (pool) x = v128.load32_splat(q, offsetof<R>());
      else x = v128.load32_splat(p, 3 * offsetof<R>());
      c30 = madd(x, w0, c30);
      c31 = madd(x, w1, c31);
      p += 4;
      q += 4;
      w += 32;
    }
  }
  storeTile4x8(c00, c01, c10, c11, c20, c21, c30, c31, relu, pool, out, ldo, rows, cols);
}
