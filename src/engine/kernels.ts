/**
 * The kernels' exports (wasm/*.ts, compiled to build/kernels.wasm), as one interface. Pointers are
 * byte offsets into the engine's memory; sizes are element counts; flags are 0/1.
 * test/engine-kernels.test.ts checks this interface against the declarations the AssemblyScript
 * compiler generates (build/kernels.d.ts) and against the instantiated module, so it cannot drift.
 */
export interface Kernels {
  /** First byte after the kernels' static data. */
  heap_base(): number;
  /** 1 in the relaxed-SIMD build (fused multiply-add), 0 in the plain SIMD build. */
  kernels_relaxed(): number;

  // wasm/conv.ts: implicit-GEMM convolution, NHWC; see the legend there.
  /** 4×8 SIMD register tiles computed so far (tests prove the SIMD path ran). */
  conv_simd_tiles(): number;
  /** Largest kh·kw the conv kernels accept. */
  conv_max_taps(): number;
  conv_pack_weights(w: number, wp: number, K: number, N: number): void;
  conv_pack_weights_transposed(w: number, wpt: number, T: number, C: number, N: number): void;
  conv2d_forward(
    x: number, wp: number, bias: number, y: number,
    B: number, H: number, W: number, C: number, OH: number, OW: number, N: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, relu: number, zeros: number,
  ): void; // prettier-ignore
  conv2d_forward_pool2(
    x: number, wp: number, bias: number, y: number,
    B: number, H: number, W: number, C: number, OH: number, OW: number, N: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, relu: number, zeros: number,
  ): void; // prettier-ignore
  conv2d_backward_data(
    dy: number, wpt: number, dx: number,
    B: number, H: number, W: number, C: number, OH: number, OW: number, N: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, zeros: number,
  ): void; // prettier-ignore
  conv2d_forward_c1(
    x: number, w: number, bias: number, y: number,
    B: number, H: number, W: number, OH: number, OW: number, N: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, relu: number,
  ): void; // prettier-ignore
  conv2d_backward_filter(
    x: number, dy: number, dw: number,
    B: number, H: number, W: number, C: number, OH: number, OW: number, N: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, zeros: number,
  ): void; // prettier-ignore

  // A first block fused: one-channel kt×1 conv, then the pooled 1×kw conv, streamed over row pairs.
  conv_block_c1_pool2(
    x: number, w1: number, bias1: number, wp2: number, bias2: number, y: number, buf: number,
    B: number, H: number, W: number, kt: number, N1: number, kw: number, N2: number, relu: number,
  ): void; // prettier-ignore

  // wasm/winograd.ts: F(4,3) and F(6,3) (tile 4 or 6) for 3×1 / 1×3 convolutions at inference
  // (along: 0 = H, 1 = W).
  wino_pack_weights(w: number, up: number, C: number, N: number, tile: number): void;
  conv2d_forward_winograd(
    x: number, up: number, bias: number, y: number, v: number, m: number,
    B: number, H: number, W: number, C: number, N: number, along: number, relu: number, pool: number,
    chunkRows: number, tile: number,
  ): void; // prettier-ignore
  // F(2,2): the transforms around a 1×3 conv over width 2 (three GEMMs in between; see convForwardPair).
  wino2_split(x: number, s: number, x0: number, x1: number, rows: number, C: number): void;
  wino2_join(m: number, a: number, b: number, y: number, rows: number, N: number, relu: number): void;

  // wasm/batchnorm.ts: x [M, C]; ws are float64 workspaces.
  bn_moments(x: number, M: number, C: number, ws: number): void;
  bn_apply(x: number, y: number, M: number, C: number, scale: number, shift: number, relu: number): void;
  bn_backward_reduce(
    dy: number, x: number, M: number, C: number, scale: number, shift: number, mean: number, relu: number, ws: number,
  ): void; // prettier-ignore
  bn_backward_apply(
    dy: number, x: number, dx: number, M: number, C: number, scale: number, shift: number, relu: number,
    mean: number, a: number, b: number, k: number,
  ): void; // prettier-ignore

  // wasm/bn-pool.ts: batch norm (+ ReLU) fused with the k×k max-pool after it.
  bn_pool_forward(
    x: number, p: number, B: number, H: number, W: number, C: number, k: number,
    scale: number, shift: number, relu: number,
  ): void; // prettier-ignore
  bn_pool_backward_reduce(
    dp: number, x: number, p: number, B: number, H: number, W: number, C: number, k: number,
    scale: number, shift: number, mean: number, relu: number, ws: number, part: number,
  ): void; // prettier-ignore
  bn_pool_backward_apply(
    dp: number, x: number, p: number, dx: number, B: number, H: number, W: number, C: number, k: number,
    scale: number, shift: number, mean: number, relu: number, a: number, bb: number, kk: number,
  ): void; // prettier-ignore

  // wasm/pool.ts
  maxpool_forward(
    x: number, y: number, B: number, H: number, W: number, C: number,
    kh: number, kw: number, sh: number, sw: number, OH: number, OW: number,
  ): void; // prettier-ignore
  maxpool_backward(
    x: number, y: number, dy: number, dx: number, B: number, H: number, W: number, C: number,
    kh: number, kw: number, sh: number, sw: number, OH: number, OW: number,
  ): void; // prettier-ignore
  global_maxpool_forward(x: number, y: number, B: number, HW: number, C: number): void;
  global_maxpool_backward(
    x: number,
    y: number,
    dy: number,
    dx: number,
    B: number,
    HW: number,
    C: number,
  ): void;
  global_avgpool_forward(x: number, y: number, B: number, HW: number, C: number): void;
  global_avgpool_backward(dy: number, dx: number, B: number, HW: number, C: number): void;

  // wasm/elementwise.ts
  add_f32(a: number, b: number, out: number, n: number): void;
  mul_f32(a: number, b: number, out: number, n: number): void;
  relu_forward(x: number, y: number, n: number): void;
  relu_backward(y: number, dy: number, dx: number, n: number): void;
  channel_scale(x: number, s: number, y: number, M: number, C: number): void;
  channel_sum(a: number, M: number, C: number, ws: number): void;
  channel_dot(a: number, b: number, M: number, C: number, ws: number): void;
  copy_channels(
    src: number, srcC: number, srcOff: number, dst: number, dstC: number, dstOff: number, M: number, count: number,
  ): void; // prettier-ignore

  // wasm/optim.ts (optimizer updates; see src/engine/optim-adam.ts and optim-sgd.ts)
  adam_f32(
    w: number, g: number, m: number, v: number, n: number,
    beta1: number, beta2: number, step: number, eps: number, l2: number, shrink: number,
  ): void; // prettier-ignore
  sgd_f32(
    w: number, g: number, buf: number, n: number, rate: number, l2: number, momentum: number, nesterov: boolean,
  ): void; // prettier-ignore
}
