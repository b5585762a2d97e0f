// Kernel entry point: re-exports every kernel file. See wasm/README in ARCHITECTURE.md.
export function add_f32(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(
      out + ((<usize>i) << 2),
      f32x4.add(v128.load(a + ((<usize>i) << 2)), v128.load(b + ((<usize>i) << 2))),
    );
  }
  for (; i < n; i++)
    store<f32>(out + ((<usize>i) << 2), load<f32>(a + ((<usize>i) << 2)) + load<f32>(b + ((<usize>i) << 2)));
}
