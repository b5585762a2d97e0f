import { MtaError } from '../common/index.js';
import type { Kernels } from './kernels.js';

export type { Kernels };

/** Where `npm run build:wasm` puts the modules; resolves the same from src/engine (tsx) and dist/engine. */
export const DEFAULT_KERNELS_URL = new URL('../../build/kernels.wasm', import.meta.url);
/** The same kernels using relaxed SIMD (fused multiply-add in the GEMM tiles). */
export const RELAXED_KERNELS_URL = new URL('../../build/kernels-relaxed.wasm', import.meta.url);

/**
 * The built kernels for this runtime: the relaxed-SIMD build when `relaxed` is true, or when it is
 * undefined and the runtime validates that build (on Node 20 once enableRelaxedSimd has turned on
 * V8's flag, which this does first); otherwise the plain SIMD build.
 */
export async function loadBuiltKernels(relaxed?: boolean): Promise<Uint8Array> {
  if (relaxed === false) return loadKernelBytes(DEFAULT_KERNELS_URL);
  await enableRelaxedSimd();
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

/** The smallest module that uses relaxed SIMD: () → v128, f32x4.relaxed_madd of three zero vectors. */
function relaxedProbe(): Uint8Array<ArrayBuffer> {
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b]; // f32x4.relaxed_madd; end
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // header
    ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // type section: () → v128
    ...[0x03, 0x02, 0x01, 0x00], // function section
    ...[0x0a, body.length + 2, 0x01, body.length, ...body], // code section
  ]);
}

/**
 * Makes relaxed SIMD (and so the fused multiply-add kernels, about 1.2× faster) available where the
 * runtime has it behind a flag: Node 20's V8 implements the standardised proposal but validates it
 * only with --experimental-wasm-relaxed-simd (V8 11.4, in Node 22, ships it on). In Node, when the
 * probe module does not validate, this sets that V8 flag for the process (worker threads share it).
 * createEngine calls it unless told to use plain SIMD. Returns whether relaxed SIMD validates now.
 */
export async function enableRelaxedSimd(): Promise<boolean> {
  const probe = relaxedProbe();
  if (WebAssembly.validate(probe)) return true;
  const node = typeof process !== 'undefined' ? process.versions?.node : undefined;
  if (node === undefined || Number(node.split('.')[0]) > 21) return false;
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(probe);
}
