// Kernel entry point: re-exports every kernel file (compiled to build/kernels.wasm by scripts/build-wasm.mjs).
// Conventions shared by all kernels: float32, NHWC row-major, pointers are byte offsets into the
// imported memory owned by the JS arena (src/engine/arena.ts), sizes are element counts.
export * from './conv';
export * from './batchnorm';
export * from './bn-pool';
export * from './pool';
export * from './winograd';
export * from './elementwise';
export * from './optim';

/** 1 in the relaxed-SIMD build (fused multiply-add), 0 in the plain SIMD build. */
export function kernels_relaxed(): i32 {
  return RELAXED;
}

/** First byte after the kernels' static data; the JS arena allocates above it. */
export function heap_base(): usize {
  return __heap_base;
}
