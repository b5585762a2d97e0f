import { MtaError } from '../common/index.js';
import type { Kernels } from './kernels.js';

export type { Kernels };

/** Where `npm run build:wasm` puts the modules; resolves the same from src/engine (tsx) and dist/engine. */
export const DEFAULT_KERNELS_URL = new URL('../../build/kernels.wasm', import.meta.url);
/** The same kernels using relaxed SIMD (fused multiply-add in the GEMM tiles). */
export const RELAXED_KERNELS_URL = new URL('../../build/kernels-relaxed.wasm', import.meta.url);

/**
 * The built kernels for this runtime: the relaxed-SIMD build when `relaxed` is true, or when it is
 * undefined and the runtime validates that build; otherwise the plain SIMD build.
 */
export async function loadBuiltKernels(relaxed?: boolean): Promise<Uint8Array> {
  if (relaxed === false) return loadKernelBytes(DEFAULT_KERNELS_URL);
  const bytes = await loadKernelBytes(RELAXED_KERNELS_URL);
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return bytes;
  if (relaxed) {
    throw new MtaError('UNSUPPORTED_FORMAT', 'this runtime does not support WebAssembly relaxed SIMD', {
      subject: 'kernels-relaxed.wasm',
      hint: 'use Node 22+, Node 20 with --experimental-wasm-relaxed-simd, or leave relaxedSimd unset',
    });
  }
  return loadKernelBytes(DEFAULT_KERNELS_URL);
}

/** Reads the compiled kernels: bytes as given, a file: URL with fs in Node, any other URL with fetch. */
export async function loadKernelBytes(source: Uint8Array | URL): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const hint = 'run `npm run build:wasm` (npm install does it) to compile the kernels';
  if (source.protocol === 'file:' && typeof process !== 'undefined' && process.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    try {
      return new Uint8Array(await readFile(source));
    } catch (e) {
      throw new MtaError('FILE_NOT_FOUND', 'cannot read the compiled kernels', {
        subject: source.pathname,
        hint,
        cause: e,
      });
    }
  }
  const response = await fetch(source);
  if (!response.ok) {
    throw new MtaError('FILE_NOT_FOUND', 'cannot fetch the compiled kernels', {
      subject: source.href,
      actual: `HTTP ${response.status}`,
      hint,
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Instantiates the kernels over `memory` (the module imports it as env.memory). */
export async function instantiateKernels(bytes: Uint8Array, memory: WebAssembly.Memory): Promise<Kernels> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new MtaError('BAD_DATA', 'not a valid kernels module, or this runtime lacks WebAssembly SIMD', {
      subject: 'kernels.wasm',
      hint: 'use Node 20+ or a browser with WebAssembly SIMD; rebuild with `npm run build:wasm`',
      cause: e,
    });
  }
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as Kernels;
}
