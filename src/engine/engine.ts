import { MtaError, Rng } from '../common/index.js';
import { Arena } from './arena.js';
import type { Init } from './init.js';
import { Tensor, shapeSize } from './tensor.js';
import { instantiateKernels, loadBuiltKernels, loadKernelBytes, type Kernels } from './wasm.js';

/**
 * A trainable parameter as optimizers and parameter files see it. value() and grad() return fresh
 * views into WebAssembly memory: never keep them across anything that may grow memory.
 */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  value(): Float32Array;
  grad(): Float32Array;
  /** Whether weight decay applies (weights yes; biases, BN and gate parameters no). */
  readonly decay: boolean;
}

/** A Param whose value and gradient are persistent tensors of the engine. */
export class Parameter implements Param {
  constructor(
    readonly name: string,
    readonly shape: readonly number[],
    readonly valueTensor: Tensor,
    readonly gradTensor: Tensor,
    readonly decay: boolean,
  ) {}

  value(): Float32Array {
    return this.valueTensor.data();
  }

  grad(): Float32Array {
    return this.gradTensor.data();
  }
}

export interface EngineOptions {
  /** The compiled kernels: bytes, or a URL (file: read with fs in Node, otherwise fetched). */
  wasm?: Uint8Array | URL;
  /**
   * Without `wasm`: true requires the relaxed-SIMD build (fused multiply-add), false uses the plain
   * SIMD build; by default the relaxed build is used when the runtime supports it (on Node 20 after
   * turning on V8's flag for it: see enableRelaxedSimd).
   */
  relaxedSimd?: boolean;
  /** Seed of every parameter initialiser (each parameter derives its own stream from it and its name). */
  seed?: number;
}

const INITIAL_PAGES = 32;
const MAX_PAGES = 65536;

/**
 * One WebAssembly instance with its memory, the arena that owns that memory, and the registry of
 * parameters. Layers take the engine in their constructor; every tensor they produce lives here.
 */
export class Engine {
  readonly arena: Arena;
  /** Whether the kernels use relaxed SIMD (fused multiply-add) rather than plain SIMD. */
  readonly relaxedSimd: boolean;
  private readonly registry = new Map<string, Parameter>();
  private zeroRowPtr = 0;
  private zeroRowFloats = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly kernels: Kernels,
    readonly seed: number,
  ) {
    this.arena = new Arena(memory, kernels.heap_base());
    this.relaxedSimd = kernels.kernels_relaxed() === 1;
  }

  /** A scratch tensor (contents undefined), valid until the scratch region is reset past it. */
  tensor(shape: readonly number[], subject = 'tensor'): Tensor {
    const n = shapeSize(shape, subject);
    return new Tensor(this.memory, this.arena.scratch.alloc(n * 4), [...shape]);
  }

  /** A scratch tensor holding a copy of `values`. */
  fromValues(shape: readonly number[], values: ArrayLike<number>, subject = 'tensor'): Tensor {
    const t = this.tensor(shape, subject);
    if (values.length !== t.size) {
      throw new MtaError('BAD_ARGUMENT', 'value count does not match the shape', {
        subject,
        expected: `${t.size} values for [${shape.join(', ')}]`,
        actual: `${values.length}`,
      });
    }
    t.data().set(values);
    return t;
  }

  /** A zero-filled tensor that lives as long as the engine. */
  persistentTensor(shape: readonly number[], subject = 'tensor'): Tensor {
    const n = shapeSize(shape, subject);
    const t = new Tensor(this.memory, this.arena.persistent.alloc(n * 4), [...shape]);
    t.data().fill(0);
    return t;
  }

  /** Registers a parameter (value initialised by `init`, gradient zeroed). Names must be unique. */
  param(name: string, shape: readonly number[], init: Init, opts: { decay?: boolean } = {}): Parameter {
    if (this.registry.has(name)) {
      throw new MtaError('BAD_CONFIG', 'a parameter with this name already exists', {
        subject: name,
        hint: 'give every layer a unique name',
      });
    }
    const value = this.persistentTensor(shape, name);
    const grad = this.persistentTensor(shape, `${name}.grad`);
    init(value.data(), Rng.derive(this.seed, name));
    const p = new Parameter(name, [...shape], value, grad, opts.decay ?? false);
    this.registry.set(name, p);
    return p;
  }

  /** Every registered parameter, in creation order. */
  params(): Parameter[] {
    return [...this.registry.values()];
  }

  zeroGrads(params: readonly Param[] = this.params()): void {
    for (const p of params) p.grad().fill(0);
  }

  /** Start of a scratch scope; reset(mark) releases every scratch tensor allocated since. */
  mark(): number {
    return this.arena.scratch.mark();
  }

  reset(mark: number): void {
    this.arena.scratch.reset(mark);
  }

  /** Byte offset of at least `floats` zeros, the row that padding taps of the kernels read. */
  zeroRow(floats: number): number {
    if (floats > this.zeroRowFloats) {
      this.zeroRowFloats = Math.max(floats, 256);
      this.zeroRowPtr = this.persistentTensor([this.zeroRowFloats], 'zero row').ptr;
    }
    return this.zeroRowPtr;
  }

  /** n float64 of scratch (for per-channel sums the kernels accumulate in double precision). */
  scratch64(n: number): number {
    return this.arena.scratch.alloc(n * 8);
  }

  /** A fresh view of n float64 at ptr. */
  view64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }
}

/** Loads the kernels and creates an engine with its own WebAssembly memory. */
export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  const bytes = opts.wasm ? await loadKernelBytes(opts.wasm) : await loadBuiltKernels(opts.relaxedSimd);
  const kernels = await instantiateKernels(bytes, memory);
  return new Engine(memory, kernels, opts.seed ?? 0);
}
