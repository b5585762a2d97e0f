// Convolution (and dense layers, as 1×1 convolutions) as implicit GEMM over NHWC tensors.
//
// Legend: B batch, H×W input size, C input channels, OH×OW output size, N output channels,
// kh×kw kernel, T = kh·kw taps, stride sh×sw, padding pt (top) / pl (left).
//   x  [B, H, W, C]      y  [B, OH, OW, N]      w  [kh, kw, C, N] = a K×N row-major matrix, K = T·C
// As a GEMM, y[M, N] = A[M, K] · w[K, N] with M = B·OH·OW. Row m of A is output pixel m's receptive
// field: T input rows of C contiguous floats. Tiles of 4 output pixels inside the image find them at
// affine offsets from an anchor row; the others through a table of row pointers built per chunk
// (taps that fall in the padding point at a caller-provided zero row). A is never materialised as
// an im2col copy.
//
// Register tile (wasm/tile.ts): 4 output pixels × 8 output channels = 8 f32x4 accumulators.
// Weights are packed into zero-padded panels of 8 output channels, wp[ceil(N/8)][K][8], so the tile
// streams them contiguously.
//
// Backward data is the same tile over a transposed gather: row m is input pixel m, and tap (i, j)
// points at the dy row of the output pixel whose receptive field put x there (or the zero row), with
// weights packed per tap as w[t]ᵀ. Backward filter reduces over output pixels:
// dw[t, c, n] += Σ_m A[m, t, c] · dy[m, n], as 4 (c) × 8 (n) register tiles.
//
// Memory contract: kernels may read up to 28 bytes past the end of a row of x, dy, dw or bias (the JS
// arena keeps that slack after every allocation); they never write outside their outputs.

import { loadLanes, madd, storeLanes, storeRow8 } from './lanes';
import {
  c1Row,
  countTiles,
  MAX_TAPS,
  Row8,
  tapOffsets,
  tile4x8,
  tile8x4,
  tileRows,
  tilesComputed,
} from './tile';

const TABLE_ENTRIES: i32 = MAX_TAPS << 2;
const table: usize = memory.data(TABLE_ENTRIES << 2, 16);
/** Per 4-row tile of a chunk: its anchor row (affine tile) or 0 (tile reads the pointer table). */
const tileAnchors: usize = memory.data(TABLE_ENTRIES, 16);

// ADJACENT_TAPS: in a 1×kw kernel the taps of a receptive field are neighbouring pixels of one row,
// so inside the image its kw·C inputs are contiguous in NHWC: a tile there runs one flat K loop (one
// tap of kw·C channels) instead of kw taps of C, which saves the per-tap setup that dominates small
// layers (8 channels: K = 24). The packed weights are in that order already (row t·C + c).

export function conv_simd_tiles(): f64 {
  return tilesComputed();
}

/** Largest number of taps a pointer table can hold for a 4-row chunk. */
export function conv_max_taps(): i32 {
  return MAX_TAPS;
}

function chunkRows(T: i32, want: i32): i32 {
  return min(want, (TABLE_ENTRIES / T) & ~3);
}

/** tapOffsets[i·kw + j] = byte offset of input pixel (i, j) of a receptive field from its top-left. */
function setForwardTapOffsets(kh: i32, kw: i32, W: i32, row: usize): void {
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++)
      store<usize>(tapOffsets + ((<usize>(i * kw + j)) << 2), <usize>(i * W + j) * row);
  }
}

/** Fills the pointer table for output pixels m0 .. m0+rows; rows up to `padded` point at zeros. */
function gatherRows(
  dst: usize,
  x: usize,
  zeros: usize,
  m0: i32,
  rows: i32,
  padded: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
): void {
  const rowBytes = (<usize>C) << 2;
  const imageBytes = <usize>H * <usize>W * rowBytes;
  let ow = m0 % OW;
  let q = m0 / OW;
  let oh = q % OH;
  let img = x + <usize>(q / OH) * imageBytes;
  let e = dst;
  const T = kh * kw;
  for (let r = 0; r < rows; r++) {
    const ih0 = oh * sh - pt;
    const iw0 = ow * sw - pl;
    if (ih0 >= 0 && ih0 + kh <= H && iw0 >= 0 && iw0 + kw <= W) {
      // The whole receptive field is inside: anchor + the offsets set by setForwardTapOffsets.
      const anchor = img + <usize>(ih0 * W + iw0) * rowBytes;
      for (let t = 0; t < T; t++)
        store<usize>(e + ((<usize>t) << 2), anchor + load<usize>(tapOffsets + ((<usize>t) << 2)));
      e += (<usize>T) << 2;
    } else {
      for (let i = 0; i < kh; i++) {
        const ih = ih0 + i;
        const rowInside = <u32>ih < <u32>H;
        for (let j = 0; j < kw; j++) {
          const iw = iw0 + j;
          store<usize>(e, rowInside && <u32>iw < <u32>W ? img + <usize>(ih * W + iw) * rowBytes : zeros);
          e += 4;
        }
      }
    }
    if (++ow == OW) {
      ow = 0;
      if (++oh == OH) {
        oh = 0;
        img += imageBytes;
      }
    }
  }
  const end = dst + ((<usize>padded * <usize>(kh * kw)) << 2);
  for (; e < end; e += 4) store<usize>(e, zeros);
}

/**
 * Fills the pointer table for input pixels m0 .. m0+rows of dx [B, H, W, C]: tap (i, j) points at
 * the dy [B, OH, OW, N] row of the output pixel that read this input pixel through that tap.
 */
function gatherRowsTransposed(
  dst: usize,
  dy: usize,
  zeros: usize,
  m0: i32,
  rows: i32,
  padded: i32,
  H: i32,
  W: i32,
  N: i32,
  OH: i32,
  OW: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
): void {
  const rowBytes = (<usize>N) << 2;
  const imageBytes = <usize>OH * <usize>OW * rowBytes;
  let iw = m0 % W;
  let q = m0 / W;
  let ih = q % H;
  let img = dy + <usize>(q / H) * imageBytes;
  let e = dst;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < kh; i++) {
      const ohs = ih + pt - i;
      const oh = ohs / sh;
      const rowInside = ohs >= 0 && oh * sh == ohs && oh < OH;
      for (let j = 0; j < kw; j++) {
        const ows = iw + pl - j;
        const ow = ows / sw;
        const inside = rowInside && ows >= 0 && ow * sw == ows && ow < OW;
        store<usize>(e, inside ? img + <usize>(oh * OW + ow) * rowBytes : zeros);
        e += 4;
      }
    }
    if (++iw == W) {
      iw = 0;
      if (++ih == H) {
        ih = 0;
        img += imageBytes;
      }
    }
  }
  const end = dst + ((<usize>padded * <usize>(kh * kw)) << 2);
  for (; e < end; e += 4) store<usize>(e, zeros);
}

/** Packs w [K, N] into zero-padded panels wp [ceil(N/8)][K][8]. */
export function conv_pack_weights(w: usize, wp: usize, K: i32, N: i32): void {
  const ldw = (<usize>N) << 2;
  let dst = wp;
  for (let n0 = 0; n0 < N; n0 += 8) {
    const cols = min(8, N - n0);
    let src = w + ((<usize>n0) << 2);
    for (let k = 0; k < K; k++) {
      if (cols == 8) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let j = 0; j < 8; j++)
          store<f32>(dst + ((<usize>j) << 2), j < cols ? load<f32>(src + ((<usize>j) << 2)) : 0);
      }
      src += ldw;
      dst += 32;
    }
  }
}

/** Packs w [T, C, N] per tap transposed, into panels over C: wpt [ceil(C/8)][T][N][8] = w[t][c0 + j][n]. */
export function conv_pack_weights_transposed(w: usize, wpt: usize, T: i32, C: i32, N: i32): void {
  let dst = wpt;
  for (let c0 = 0; c0 < C; c0 += 8) {
    const cols = min(8, C - c0);
    for (let t = 0; t < T; t++) {
      for (let n = 0; n < N; n++) {
        for (let j = 0; j < 8; j++) {
          const v: f32 = j < cols ? load<f32>(w + ((<usize>(t * C + c0 + j) * <usize>N + <usize>n) << 2)) : 0;
          store<f32>(dst + ((<usize>j) << 2), v);
        }
        dst += 32;
      }
    }
  }
}

/** y = conv(x, w) + bias, then ReLU if relu != 0. bias = 0 means none; zeros: ≥ C zero floats. */
export function conv2d_forward(
  x: usize,
  wp: usize,
  bias: usize,
  y: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  N: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  relu: i32,
  zeros: usize,
): void {
  const T = kh * kw;
  const M = B * OH * OW;
  const row = (<usize>C) << 2;
  const imageBytes = <usize>H * <usize>W * row;
  setForwardTapOffsets(kh, kw, W, row);
  const panelBytes = (<usize>(T * C) * 8) << 2;
  const ldo = (<usize>N) << 2;
  const chunk = chunkRows(T, 64);
  const adjacentTaps = kh == 1; // see ADJACENT_TAPS
  // Output position (image, oh, ow) of the first row of the next tile.
  let img = x;
  let oh = 0;
  let ow = 0;
  for (let m0 = 0; m0 < M; m0 += chunk) {
    const rows = min(chunk, M - m0);
    const tiles = (rows + 3) >> 2;
    for (let tile = 0; tile < tiles; tile++) {
      const valid = min(4, rows - 4 * tile);
      const ih0 = oh * sh - pt;
      const iw0 = ow * sw - pl;
      const inside =
        valid == 4 && ow + 3 < OW && ih0 >= 0 && ih0 + kh <= H && iw0 >= 0 && (ow + 3) * sw - pl + kw <= W;
      const anchor = inside ? img + <usize>(ih0 * W + iw0) * row : 0;
      store<usize>(tileAnchors + ((<usize>tile) << 2), anchor);
      if (!inside) {
        const dst = table + ((<usize>(4 * tile * T)) << 2);
        gatherRows(dst, x, zeros, m0 + 4 * tile, valid, 4, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl);
      }
      ow += 4;
      while (ow >= OW) {
        ow -= OW;
        if (++oh == OH) {
          oh = 0;
          img += imageBytes;
        }
      }
    }
    let panel = wp;
    for (let n0 = 0; n0 < N; n0 += 8) {
      const cols = min(8, N - n0);
      const b = bias == 0 ? 0 : bias + ((<usize>n0) << 2);
      let out = y + ((<usize>m0 * <usize>N + <usize>n0) << 2);
      for (let tile = 0; tile < tiles; tile++) {
        const anchor = load<usize>(tileAnchors + ((<usize>tile) << 2));
        const tbl = table + ((<usize>(4 * tile * T)) << 2);
        const step = sw * row;
        const flat = anchor != 0 && adjacentTaps;
        if (anchor != 0 && step == 32) {
          tileRows<Row8>(
            anchor,
            0,
            flat ? 1 : T,
            flat ? T * C : C,
            panel,
            b,
            relu != 0,
            false,
            out,
            ldo,
            4,
            cols,
          );
          out += ldo << 2;
          continue;
        }
        tile4x8(
          anchor,
          step,
          2 * step,
          tbl,
          flat ? 1 : T,
          flat ? T * C : C,
          panel,
          b,
          relu != 0,
          false,
          out,
          ldo,
          min(4, rows - 4 * tile),
          cols,
        );
        out += ldo << 2;
      }
      panel += panelBytes;
    }
    countTiles(tiles * ((N + 7) >> 3));
  }
}

/**
 * The PW pooled outputs (all N channels, at dst) of one pair of rows of a pooled 1×kw conv at
 * stride 1: row h of W pixels of C channels at src, row h + 1 at src + rowStep, pl padding pixels on
 * the left. The windows have affine anchors along the row, so no pointer tables are built, and each
 * runs the flat K loop (ADJACENT_TAPS); at 8 channels the register tile addresses a window's second
 * pixel by an immediate offset (tileRows). A window whose receptive field crosses the left or right
 * padding reads a zero-padded copy of its 2 × (kw + 1) input pixels, made in `table` (callers check
 * that it fits). Expects tapOffsets[0] = 0.
 */
function rowPairWindows(
  src: usize,
  rowStep: usize,
  W: i32,
  PW: i32,
  C: i32,
  kw: i32,
  pl: i32,
  wp: usize,
  bias: usize,
  relu: bool,
  dst: usize,
  N: i32,
  zeros: usize,
): void {
  const row = (<usize>C) << 2;
  const K = kw * C;
  const span = kw + 1; // input pixels under a window's two output columns
  const copyStep = <usize>span * row;
  const panelBytes = (<usize>K * 8) << 2;
  const ldo = (<usize>N) << 2;
  for (let n0 = 0; n0 < N; n0 += 8) {
    const cols = min(8, N - n0);
    const panel = wp + <usize>(n0 >> 3) * panelBytes;
    const bn = bias == 0 ? 0 : bias + ((<usize>n0) << 2);
    for (let pw = 0; pw < PW; pw++) {
      const iw0 = 2 * pw - pl;
      let anchor = src + <usize>iw0 * row;
      let step2 = rowStep;
      if (iw0 < 0 || iw0 + span > W) {
        for (let r = 0; r < 2; r++) {
          for (let j = 0; j < span; j++) {
            const iw = iw0 + j;
            const from = <u32>iw < <u32>W ? src + <usize>r * rowStep + <usize>iw * row : zeros;
            const to = table + <usize>(r * span + j) * row;
            for (let c = 0; c < C; c += 4) {
              const lanes = min(4, C - c);
              const o = (<usize>c) << 2;
              storeLanes(to + o, loadLanes(from + o, lanes), lanes);
            }
          }
        }
        anchor = table;
        step2 = copyStep;
      }
      const out = dst + <usize>pw * ldo + ((<usize>n0) << 2);
      if (C == 8) tileRows<Row8>(anchor, step2, 1, K, panel, bn, relu, true, out, ldo, 4, cols);
      else tile4x8(anchor, row, step2, 0, 1, K, panel, bn, relu, true, out, ldo, 4, cols);
    }
  }
}

/** conv2d_forward_pool2 for 1×kw kernels at stride 1 without vertical padding (the frequency convs). */
function pooledRowConv(
  x: usize,
  wp: usize,
  bias: usize,
  y: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  N: i32,
  kw: i32,
  pl: i32,
  relu: bool,
  zeros: usize,
): void {
  const row = (<usize>C) << 2;
  const PH = OH >> 1;
  const PW = OW >> 1;
  const ldo = (<usize>N) << 2;
  store<usize>(tapOffsets, 0);
  for (let b = 0; b < B; b++) {
    for (let ph = 0; ph < PH; ph++) {
      const src = x + <usize>((b * H + 2 * ph) * W) * row;
      const dst = y + <usize>((b * PH + ph) * PW) * ldo;
      rowPairWindows(src, <usize>W * row, W, PW, C, kw, pl, wp, bias, relu, dst, N, zeros);
    }
  }
  countTiles(B * PH * PW * ((N + 7) >> 3));
}

/**
 * Inference: y = maxpool2x2(act(conv(x, w) + bias)), y [B, floor(OH/2), floor(OW/2), N]. Each register
 * tile is one 2×2 window of output pixels, so the full-resolution output is never written.
 */
export function conv2d_forward_pool2(
  x: usize,
  wp: usize,
  bias: usize,
  y: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  N: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  relu: i32,
  zeros: usize,
): void {
  if (kh == 1 && sh == 1 && sw == 1 && pt == 0 && N > 4 && 2 * (kw + 1) * C <= TABLE_ENTRIES) {
    pooledRowConv(x, wp, bias, y, B, H, W, C, OH, OW, N, kw, pl, relu != 0, zeros);
    return;
  }
  const T = kh * kw;
  const PH = OH >> 1;
  const PW = OW >> 1;
  const P = B * PH * PW;
  const row = (<usize>C) << 2;
  const imageBytes = <usize>H * <usize>W * row;
  setForwardTapOffsets(kh, kw, W, row);
  const panelBytes = (<usize>(T * C) * 8) << 2;
  const ldo = (<usize>N) << 2;
  const chunk = chunkRows(T, 64) >> 2; // windows per chunk: 4 table rows each
  const adjacentTaps = kh == 1; // see ADJACENT_TAPS
  let img = x;
  let b = 0;
  let ph = 0;
  let pw = 0;
  for (let w0 = 0; w0 < P; w0 += chunk) {
    const tiles = min(chunk, P - w0);
    for (let tile = 0; tile < tiles; tile++) {
      const oh = 2 * ph;
      const ow = 2 * pw;
      const ih0 = oh * sh - pt;
      const iw0 = ow * sw - pl;
      const inside = ih0 >= 0 && ih0 + sh + kh <= H && iw0 >= 0 && iw0 + sw + kw <= W;
      store<usize>(tileAnchors + ((<usize>tile) << 2), inside ? img + <usize>(ih0 * W + iw0) * row : 0);
      if (!inside) {
        const dst = table + ((<usize>(4 * tile * T)) << 2);
        const m = (b * OH + oh) * OW + ow;
        const T4 = (<usize>T) << 2;
        gatherRows(dst, x, zeros, m, 1, 1, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl);
        gatherRows(dst + T4, x, zeros, m + 1, 1, 1, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl);
        gatherRows(dst + 2 * T4, x, zeros, m + OW, 1, 1, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl);
        gatherRows(dst + 3 * T4, x, zeros, m + OW + 1, 1, 1, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl);
      }
      if (++pw == PW) {
        pw = 0;
        if (++ph == PH) {
          ph = 0;
          b++;
          img += imageBytes;
        }
      }
    }
    if (N <= 4) {
      // Narrow layers (thin adapters): two windows per register tile, no padding columns. The plain
      // conv keeps tile4x8 even here: with 8 row pointers live its loop spills (measured slower).
      for (let tile = 0; tile < tiles; tile += 2) {
        const second = tile + 1 < tiles;
        const anchorA = load<usize>(tileAnchors + ((<usize>tile) << 2));
        const tblA = table + ((<usize>(4 * tile * T)) << 2);
        const outA = y + ((<usize>(w0 + tile) * <usize>N) << 2);
        const anchorB = second ? load<usize>(tileAnchors + ((<usize>(tile + 1)) << 2)) : anchorA;
        const flat = anchorA != 0 && anchorB != 0 && adjacentTaps;
        tile8x4(
          anchorA,
          tblA,
          anchorB,
          second ? tblA + ((<usize>(4 * T)) << 2) : tblA,
          sw * row,
          <usize>(sh * W) * row,
          flat ? 1 : T,
          flat ? T * C : C,
          wp,
          bias,
          relu != 0,
          true,
          outA,
          outA + ldo,
          ldo,
          4,
          second ? 4 : 0,
          N,
        );
      }
      countTiles(tiles);
      continue;
    }
    let panel = wp;
    for (let n0 = 0; n0 < N; n0 += 8) {
      const cols = min(8, N - n0);
      const bn = bias == 0 ? 0 : bias + ((<usize>n0) << 2);
      let out = y + ((<usize>w0 * <usize>N + <usize>n0) << 2);
      for (let tile = 0; tile < tiles; tile++) {
        const anchor = load<usize>(tileAnchors + ((<usize>tile) << 2));
        const tbl = table + ((<usize>(4 * tile * T)) << 2);
        const flat = anchor != 0 && adjacentTaps;
        tile4x8(
          anchor,
          sw * row,
          <usize>(sh * W) * row,
          tbl,
          flat ? 1 : T,
          flat ? T * C : C,
          panel,
          bn,
          relu != 0,
          true,
          out,
          ldo,
          4,
          cols,
        );
        out += ldo;
      }
      panel += panelBytes;
    }
    countTiles(tiles * ((N + 7) >> 3));
  }
}

/** dx = conv_transposed(dy, w), written (not accumulated). wpt from conv_pack_weights_transposed; zeros: ≥ N. */
export function conv2d_backward_data(
  dy: usize,
  wpt: usize,
  dx: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  N: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  zeros: usize,
): void {
  const T = kh * kw;
  const M = B * H * W;
  const rowN = (<usize>N) << 2;
  const imageBytes = <usize>OH * <usize>OW * rowN;
  // With stride 1, input pixel (ih, iw) reads output pixel (ih + pt − i, iw + pl − j) through tap
  // (i, j): affine in the pixel, at a (negative, wrapping) offset from the anchor (ih + pt, iw + pl).
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      store<usize>(tapOffsets + ((<usize>(i * kw + j)) << 2), <usize>-(i * OW + j) * rowN);
    }
  }
  const unitStride = sh == 1 && sw == 1;
  const panelBytes = (<usize>(T * N) * 8) << 2;
  const ldo = (<usize>C) << 2;
  const chunk = chunkRows(T, 64);
  let img = dy;
  let ih = 0;
  let iw = 0;
  for (let m0 = 0; m0 < M; m0 += chunk) {
    const rows = min(chunk, M - m0);
    const tiles = (rows + 3) >> 2;
    for (let tile = 0; tile < tiles; tile++) {
      const valid = min(4, rows - 4 * tile);
      const inside =
        unitStride &&
        valid == 4 &&
        iw + 3 < W &&
        ih + pt - (kh - 1) >= 0 &&
        ih + pt < OH &&
        iw + pl - (kw - 1) >= 0 &&
        iw + 3 + pl < OW;
      const anchor = inside ? img + <usize>((ih + pt) * OW + iw + pl) * rowN : 0;
      store<usize>(tileAnchors + ((<usize>tile) << 2), anchor);
      if (!inside) {
        const dst = table + ((<usize>(4 * tile * T)) << 2);
        gatherRowsTransposed(
          dst,
          dy,
          zeros,
          m0 + 4 * tile,
          valid,
          4,
          H,
          W,
          N,
          OH,
          OW,
          kh,
          kw,
          sh,
          sw,
          pt,
          pl,
        );
      }
      iw += 4;
      while (iw >= W) {
        iw -= W;
        if (++ih == H) {
          ih = 0;
          img += imageBytes;
        }
      }
    }
    let panel = wpt;
    for (let c0 = 0; c0 < C; c0 += 8) {
      const cols = min(8, C - c0);
      let out = dx + ((<usize>m0 * <usize>C + <usize>c0) << 2);
      for (let tile = 0; tile < tiles; tile++) {
        const anchor = load<usize>(tileAnchors + ((<usize>tile) << 2));
        const tbl = table + ((<usize>(4 * tile * T)) << 2);
        tile4x8(
          anchor,
          rowN,
          2 * rowN,
          tbl,
          T,
          N,
          panel,
          0,
          false,
          false,
          out,
          ldo,
          min(4, rows - 4 * tile),
          cols,
        );
        out += ldo << 2;
      }
      panel += panelBytes;
    }
    countTiles(tiles * ((C + 7) >> 3));
  }
}

/**
 * dw[c0..c0+4][n0..n0+cols] += Σ_r row(r)[c0..c0+4] ⊗ dy[r][n0..n0+8].
 * `col` is the table column of one tap (row stride T entries), `off` the byte offset of c0 in a row.
 */
function reduce4x8(
  col: usize,
  T: i32,
  rows: i32,
  off: usize,
  dyp: usize,
  ldd: usize,
  dwp: usize,
  ldw: usize,
  cols: i32,
): void {
  let a00 = v128.load(dwp);
  let a01 = v128.load(dwp, 16);
  let a10 = v128.load(dwp + ldw);
  let a11 = v128.load(dwp + ldw, 16);
  let a20 = v128.load(dwp + 2 * ldw);
  let a21 = v128.load(dwp + 2 * ldw, 16);
  let a30 = v128.load(dwp + 3 * ldw);
  let a31 = v128.load(dwp + 3 * ldw, 16);
  const stride = (<usize>T) << 2;
  let e = col;
  let d = dyp;
  for (let r = 0; r < rows; r++) {
    const p = load<usize>(e) + off;
    const d0 = v128.load(d);
    const d1 = v128.load(d, 16);
    let a = v128.load32_splat(p);
    a00 = madd(a, d0, a00);
    a01 = madd(a, d1, a01);
    a = v128.load32_splat(p, 4);
    a10 = madd(a, d0, a10);
    a11 = madd(a, d1, a11);
    a = v128.load32_splat(p, 8);
    a20 = madd(a, d0, a20);
    a21 = madd(a, d1, a21);
    a = v128.load32_splat(p, 12);
    a30 = madd(a, d0, a30);
    a31 = madd(a, d1, a31);
    e += stride;
    d += ldd;
  }
  storeRow8(dwp, a00, a01, cols);
  storeRow8(dwp + ldw, a10, a11, cols);
  storeRow8(dwp + 2 * ldw, a20, a21, cols);
  storeRow8(dwp + 3 * ldw, a30, a31, cols);
  countTiles(1);
}

/** As reduce4x8 for a single input channel (channel counts that are not a multiple of 4). */
function reduce1x8(
  col: usize,
  T: i32,
  rows: i32,
  off: usize,
  dyp: usize,
  ldd: usize,
  dwp: usize,
  cols: i32,
): void {
  let a0 = v128.load(dwp);
  let a1 = v128.load(dwp, 16);
  let b0 = f32x4.splat(0);
  let b1 = b0;
  const stride = (<usize>T) << 2;
  let e = col;
  let d = dyp;
  let r = 0;
  // Two independent accumulator pairs hide the add latency of this thin tile.
  for (; r + 2 <= rows; r += 2) {
    let a = v128.load32_splat(load<usize>(e) + off);
    a0 = madd(a, v128.load(d), a0);
    a1 = madd(a, v128.load(d, 16), a1);
    a = v128.load32_splat(load<usize>(e + stride) + off);
    b0 = madd(a, v128.load(d + ldd), b0);
    b1 = madd(a, v128.load(d + ldd, 16), b1);
    e += stride << 1;
    d += ldd << 1;
  }
  if (r < rows) {
    const a = v128.load32_splat(load<usize>(e) + off);
    a0 = madd(a, v128.load(d), a0);
    a1 = madd(a, v128.load(d, 16), a1);
  }
  storeRow8(dwp, f32x4.add(a0, b0), f32x4.add(a1, b1), cols);
}

/** dw [kh, kw, C, N] += conv weight gradient of x and dy. zeros: ≥ C zero floats. */
export function conv2d_backward_filter(
  x: usize,
  dy: usize,
  dw: usize,
  B: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  N: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  zeros: usize,
): void {
  const T = kh * kw;
  const M = B * OH * OW;
  const ld = (<usize>N) << 2;
  const chunk = chunkRows(T, 64);
  setForwardTapOffsets(kh, kw, W, (<usize>C) << 2);
  for (let m0 = 0; m0 < M; m0 += chunk) {
    const rows = min(chunk, M - m0);
    gatherRows(table, x, zeros, m0, rows, rows, H, W, C, OH, OW, kh, kw, sh, sw, pt, pl);
    const dy0 = dy + <usize>m0 * ld;
    for (let t = 0; t < T; t++) {
      const col = table + ((<usize>t) << 2);
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const dwRow = dw + <usize>(t * C + c) * ld;
        for (let n0 = 0; n0 < N; n0 += 8) {
          const off = (<usize>n0) << 2;
          reduce4x8(col, T, rows, (<usize>c) << 2, dy0 + off, ld, dwRow + off, ld, min(8, N - n0));
        }
      }
      for (; c < C; c++) {
        const dwRow = dw + <usize>(t * C + c) * ld;
        for (let n0 = 0; n0 < N; n0 += 8) {
          const off = (<usize>n0) << 2;
          reduce1x8(col, T, rows, (<usize>c) << 2, dy0 + off, ld, dwRow + off, min(8, N - n0));
        }
      }
    }
  }
}

/** y = act(conv(x, w) + bias) for one input channel (C = 1: a first layer over the spectrogram), w [T, N] unpacked. */
export function conv2d_forward_c1(
  x: usize,
  w: usize,
  bias: usize,
  y: usize,
  B: i32,
  H: i32,
  W: i32,
  OH: i32,
  OW: i32,
  N: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  relu: i32,
): void {
  const T = kh * kw;
  setForwardTapOffsets(kh, kw, W, 4);
  const ldw = (<usize>N) << 2;
  const o1 = T > 1 ? load<usize>(tapOffsets + 4) : 0;
  const o2 = T > 2 ? load<usize>(tapOffsets + 8) : 0;
  for (let n0 = 0; n0 < N; n0 += 8) {
    const cols = min(8, N - n0);
    const wn = w + ((<usize>n0) << 2);
    const bn = bias == 0 ? 0 : bias + ((<usize>n0) << 2);
    let out = y + ((<usize>n0) << 2);
    for (let b = 0; b < B; b++) {
      const img = x + ((<usize>(b * H * W)) << 2);
      for (let oh = 0; oh < OH; oh++) {
        c1Row(img, H, W, OW, oh * sh - pt, kh, kw, sw, pl, o1, o2, wn, ldw, bn, relu != 0, cols, out, ldw);
        out += <usize>OW * ldw;
      }
    }
  }
}

/**
 * A network's first block at inference, fused: the one-channel conv above (kt×1, stride 1, 'same',
 * N1 outputs, + bias and ReLU) and the pooled 1×kw conv after it (N1 → N2, stride 1, + bias, ReLU
 * and the 2×2 max-pool, as pooledRowConv). Per pooled output row, the two rows of the first conv
 * that it reads are computed into `buf` (2 rows of W + kw − 1 pixels, zero padding columns at both
 * ends, so no window needs an edge copy), where they stay in L1: written to memory for the whole
 * batch, 8 floats per input value, they cost more than computing them (measured). w1 [kt, N1]
 * unpacked; wp2 packed as for the direct kernels (K = kw·N1); buf: 2·(W + kw − 1)·N1 + 8 floats.
 */
export function conv_block_c1_pool2(
  x: usize,
  w1: usize,
  bias1: usize,
  wp2: usize,
  bias2: usize,
  y: usize,
  buf: usize,
  B: i32,
  H: i32,
  W: i32,
  kt: i32,
  N1: i32,
  kw: i32,
  N2: i32,
  relu: i32,
): void {
  const pt = (kt - 1) >> 1;
  const pl = (kw - 1) >> 1;
  setForwardTapOffsets(kt, 1, W, 4);
  const o1 = kt > 1 ? load<usize>(tapOffsets + 4) : 0;
  const o2 = kt > 2 ? load<usize>(tapOffsets + 8) : 0;
  const ldw = (<usize>N1) << 2;
  const Wp = W + kw - 1;
  const bufRow = <usize>Wp * ldw;
  // The padding columns stay zero: only pixels pl .. pl+W−1 of a buffer row are ever written.
  memory.fill(buf, 0, 2 * bufRow);
  const PH = H >> 1;
  const PW = W >> 1;
  const ldo = (<usize>N2) << 2;
  store<usize>(tapOffsets, 0);
  for (let b = 0; b < B; b++) {
    const img = x + ((<usize>(b * H * W)) << 2);
    for (let ph = 0; ph < PH; ph++) {
      for (let r = 0; r < 2; r++) {
        const row = buf + <usize>r * bufRow + <usize>pl * ldw;
        for (let n0 = 0; n0 < N1; n0 += 8) {
          const bn = bias1 == 0 ? 0 : bias1 + ((<usize>n0) << 2);
          const out = row + ((<usize>n0) << 2);
          c1Row(
            img,
            H,
            W,
            W,
            2 * ph + r - pt,
            kt,
            1,
            1,
            0,
            o1,
            o2,
            w1 + ((<usize>n0) << 2),
            ldw,
            bn,
            relu != 0,
            min(8, N1 - n0),
            out,
            ldw,
          );
        }
      }
      // The buffer rows are already padded: as rows of Wp pixels without padding, no window is an
      // edge window.
      const dst = y + <usize>((b * PH + ph) * PW) * ldo;
      rowPairWindows(buf, bufRow, Wp, PW, N1, kw, 0, wp2, bias2, relu != 0, dst, N2, 0);
    }
  }
  countTiles(B * PH * PW * ((N2 + 7) >> 3));
}
