/**
 * The optimizer base: step counter, learning-rate schedule, per-parameter rate multipliers, and
 * per-parameter state slots (float32, one element per weight) that save and load exactly, so a
 * resumed run is bit-identical to an uninterrupted one.
 *
 * Two ways to run the element-wise updates: with an `engine`, the slots live in its WebAssembly
 * memory and the SIMD kernels of wasm/optim.ts do the work (params must live there too); without
 * one, plain TypeScript loops over JS arrays do it (the reference, and for params held anywhere).
 * Memory can grow, so value()/grad()/slot views are re-taken on every step and never kept. A step
 * allocates nothing but those views.
 */
import { MtaError } from '../common/index.js';
import type { Engine, Param } from './engine.js';
import type { LrSchedule } from './schedule.js';
import type { Kernels } from './wasm.js';

export interface OptimizerOptions {
  /** A fixed rate or a schedule of the step (0 for the first update). */
  lr: number | LrSchedule;
  /** Multiplier of the rate per parameter, fixed at construction (e.g. 10 for adapter gates). */
  lrScale?: (p: Param) => number;
  /** Run the updates with this engine's wasm kernels, keeping the state in its memory. */
  engine?: Engine;
}

export type OptimizerState = Record<string, Float32Array | number>;

/** One parameter's slot of optimizer state: a byte offset in wasm memory (0 for a JS array) and its values. */
export interface Slot {
  readonly ptr: number;
  data(): Float32Array;
}

class ArraySlot implements Slot {
  readonly ptr = 0;
  constructor(private readonly values: Float32Array) {}
  data(): Float32Array {
    return this.values;
  }
}

const STEP_KEY = 'step';

export abstract class Optimizer {
  readonly params: readonly Param[];
  /** Number of updates applied so far. */
  get stepCount(): number {
    return this.steps;
  }

  protected readonly scales: Float64Array;
  /** The engine's kernels when the updates run in wasm. */
  protected readonly kernels: Kernels | undefined;
  private steps = 0;
  private readonly schedule: LrSchedule;
  private readonly slots: ReadonlyMap<string, Slot[]>;

  protected constructor(params: readonly Param[], opts: OptimizerOptions, slotNames: readonly string[]) {
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.name)) {
        throw new MtaError('BAD_ARGUMENT', 'two parameters share a name', { subject: `param "${p.name}"` });
      }
      seen.add(p.name);
    }
    const { lr, engine } = opts;
    if (engine) {
      const outside = params.find((p) => p.value().buffer !== engine.memory.buffer);
      if (outside) {
        throw new MtaError('BAD_ARGUMENT', "the parameter does not live in the optimizer's engine", {
          subject: `param "${outside.name}"`,
          hint: 'create the optimizer without `engine` to update parameters held elsewhere',
        });
      }
    }
    this.params = [...params];
    this.kernels = engine?.kernels;
    if (typeof lr === 'number') checkNonNegative(lr, 'optimizer.lr');
    this.schedule = typeof lr === 'number' ? () => lr : lr;
    this.scales = Float64Array.from(params, (p) => {
      const s = opts.lrScale ? opts.lrScale(p) : 1;
      checkNonNegative(s, `lrScale of param "${p.name}"`);
      return s;
    });
    this.slots = new Map(
      slotNames.map((slot) => [
        slot,
        params.map((p): Slot => {
          const n = p.shape.reduce((a, b) => a * b, 1);
          return engine
            ? engine.persistentTensor([n], `${slot}.${p.name}`)
            : new ArraySlot(new Float32Array(n));
        }),
      ]),
    );
  }

  /** The base learning rate the next step will use (before per-parameter multipliers). */
  currentLr(): number {
    return this.schedule(this.steps);
  }

  /** Applies one update to every parameter from its current gradient. */
  step(): void {
    const lr = this.schedule(this.steps);
    this.steps++;
    this.update(lr, this.steps);
  }

  /**
   * One update. `lr` is the scheduled base rate, `t` the 1-based number of this step. Subclasses
   * read `this.scales[i]` and their slots through `slot(name)`.
   */
  protected abstract update(lr: number, t: number): void;

  protected slot(name: string): Slot[] {
    return this.slots.get(name)!;
  }

  /** A copy of the full state: `step` and `<slot>.<param name>` for every slot and parameter. */
  state(): OptimizerState {
    const out: OptimizerState = { [STEP_KEY]: this.steps };
    for (const [slot, slots] of this.slots) {
      this.params.forEach((p, i) => {
        out[`${slot}.${p.name}`] = slots[i].data().slice();
      });
    }
    return out;
  }

  /** Restores a state from state(); `subject` names its source (a checkpoint file) in errors. */
  loadState(state: OptimizerState, subject: string): void {
    const bad = (message: string, expected?: string, actual?: string): MtaError =>
      new MtaError('BAD_MODEL', message, { subject, expected, actual });
    const steps = state[STEP_KEY];
    if (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps < 0) {
      throw bad('optimizer state has no valid step count', 'a non-negative integer', String(steps));
    }
    const expectedKeys = new Set([STEP_KEY]);
    for (const [slot, slots] of this.slots) {
      this.params.forEach((p, i) => {
        const key = `${slot}.${p.name}`;
        expectedKeys.add(key);
        const value = state[key];
        if (!(value instanceof Float32Array)) {
          throw bad(`optimizer state lacks "${key}"`, 'a float32 array', typeof value);
        }
        if (value.length !== slots[i].data().length) {
          throw bad(
            `optimizer state "${key}" has the wrong size`,
            `${slots[i].data().length}`,
            `${value.length}`,
          );
        }
      });
    }
    const extra = Object.keys(state).filter((k) => !expectedKeys.has(k));
    if (extra.length > 0) {
      throw bad(
        'optimizer state has entries this optimizer does not use',
        'none',
        extra.slice(0, 3).join(', '),
      );
    }
    for (const [slot, slots] of this.slots) {
      this.params.forEach((p, i) => slots[i].data().set(state[`${slot}.${p.name}`] as Float32Array));
    }
    this.steps = steps;
  }
}

export function checkNonNegative(value: number, subject: string): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new MtaError('BAD_CONFIG', 'must be a finite non-negative number', {
      subject,
      actual: String(value),
    });
  }
}
