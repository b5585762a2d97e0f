// Partial-vector helpers for channel counts that are not a multiple of 4 (or of 8 for a register tile).
// `n` is the number of valid lanes; lanes past it are never read from or written to memory.

/** Loads n = 1..3 floats into the low lanes; the other lanes are 0. */
export function loadN(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Loads n = 1..4 floats: one vector load when n = 4, else loadN. */
@inline
export function loadLanes(p: usize, n: i32): v128 {
  return n == 4 ? v128.load(p) : loadN(p, n);
}

/** Stores the low n = 1..4 lanes: one vector store when n = 4, else storeN. */
@inline
export function storeLanes(p: usize, v: v128, n: i32): void {
  if (n == 4) v128.store(p, v);
  else storeN(p, v, n);
}

/** Stores the low n = 1..3 lanes. */
export function storeN(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Stores the first n = 1..8 lanes of the 8-lane row (v0, v1). */
export function storeRow8(p: usize, v0: v128, v1: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v0);
    if (n == 8) v128.store(p, v1, 16);
    else if (n > 4) storeN(p + 16, v1, n - 4);
  } else storeN(p, v0, n);
}

/**
 * c + a·b. The relaxed-SIMD build (compiled with --use RELAXED=1) uses f32x4.relaxed_madd, a fused
 * multiply-add where the hardware has one (one rounding instead of two; the same on every run of a
 * given machine); the plain build (RELAXED=0) multiplies then adds. The constant folds at compile
 * time, so each build contains only its own instructions.
 */
export function madd(a: v128, b: v128, c: v128): v128 {
  if (RELAXED) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
