/** Validation of the suite's two knobs, shared by planning and rendering. */
import { MtaError } from '../../common/index.js';
import { BUILTIN_TASKS } from './registry.js';

export const DEFAULT_SEED = 0;
export const DEFAULT_CLIPS_PER_TASK = 500;
/** Two clips per class of the task with the most classes: every class keeps a training clip. */
export const MIN_CLIPS_PER_TASK = 2 * Math.max(...BUILTIN_TASKS.map((t) => t.classes.length));
/** The plan is a list in memory; this bounds it at ~1 M clips in all. */
export const MAX_CLIPS_PER_TASK = 100_000;

export function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new MtaError('BAD_ARGUMENT', 'the seed must be an integer from 0 to 4294967295', {
      subject: 'seed',
      expected: 'integer in [0, 4294967295]',
      actual: String(seed),
    });
  }
  return seed;
}

export function checkClipsPerTask(n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < MIN_CLIPS_PER_TASK || n > MAX_CLIPS_PER_TASK) {
    throw new MtaError('BAD_ARGUMENT', 'clips per task is out of range', {
      subject: 'clipsPerTask',
      expected: `integer in [${MIN_CLIPS_PER_TASK}, ${MAX_CLIPS_PER_TASK}]`,
      actual: String(n),
      hint: 'the minimum is two clips per class of the task with the most classes',
    });
  }
  return n;
}
