/**
 * Scratch and table storage for the front end's inner loops: plain arrays of doubles, not typed
 * arrays. Once any ArrayBuffer in the process has been detached (WebAssembly memory growth, a
 * transfer to a worker, or libraries doing either at load time), V8 re-checks detachment on every
 * typed-array access in newly optimized code; arrays with double elements carry no such check, which
 * makes the log-mel about a third faster in the real pipeline (bench:frontend).
 */

/** A length-n array of 0s whose elements V8 stores as unboxed doubles (PACKED_DOUBLE_ELEMENTS). */
export function doubleArray(n: number): number[] {
  const a: number[] = [];
  // A non-integer first value fixes the elements kind at doubles; it never goes back to small ints.
  for (let i = 0; i < n; i++) a.push(0.5);
  return a.fill(0);
}

export function toDoubleArray(x: ArrayLike<number>): number[] {
  const a = doubleArray(x.length);
  for (let i = 0; i < x.length; i++) a[i] = x[i];
  return a;
}
