/**
 * Renders one clip of the built-in suite from its reference alone. All randomness derives from
 * (seed, task, index) and (seed, task, group), so clips render in any order, in parallel, or one
 * at a time, with identical samples.
 */
import { MtaError, Rng } from '../../common/index.js';
import { seconds } from './dsp.js';
import { finishClip } from './finish.js';
import { DEFAULT_SEED, checkSeed } from './options.js';
import { BUILTIN_TASKS } from './registry.js';
import type { BuiltinClipRef, ClipRequest } from './types.js';

/**
 * Bump whenever any change alters rendered samples or the plan: caches key on it.
 * Format: builtin-<n>.
 */
export const BUILTIN_GENERATOR_VERSION = 'builtin-2';

/** 16 kHz mono samples in [-1, 1], 1–2 s long, the same on every machine for the same ref and seed. */
export function renderBuiltinClip(ref: BuiltinClipRef, opts: { seed?: number } = {}): Float32Array {
  const seed = checkSeed(opts.seed ?? DEFAULT_SEED);
  const task = BUILTIN_TASKS.find((t) => t.name === ref.task);
  if (!task) {
    throw new MtaError('BAD_ARGUMENT', 'no such built-in task', {
      subject: 'task',
      expected: BUILTIN_TASKS.map((t) => t.name).join(', '),
      actual: String(ref.task),
    });
  }
  if (!Number.isInteger(ref.label) || ref.label < 0 || ref.label >= task.classes.length) {
    throw new MtaError('BAD_ARGUMENT', `label out of range for task ${task.name}`, {
      subject: 'label',
      expected: `integer in [0, ${task.classes.length - 1}]`,
      actual: String(ref.label),
    });
  }
  if (!Number.isSafeInteger(ref.index) || ref.index < 0) {
    throw new MtaError('BAD_ARGUMENT', 'clip index must be a non-negative integer', {
      subject: 'index',
      actual: String(ref.index),
    });
  }
  if (typeof ref.group !== 'string' || ref.group === '') {
    throw new MtaError('BAD_ARGUMENT', 'clip group must be a non-empty string', {
      subject: 'group',
      actual: String(ref.group),
    });
  }
  const rng = Rng.derive(seed, `builtin/${task.name}/clip/${ref.index}`);
  const length = seconds(rng.uniform(task.seconds[0], task.seconds[1]));
  const req: ClipRequest = {
    label: ref.label,
    length,
    rng,
    groupRng: (part = '') => Rng.derive(seed, `builtin/${task.name}/group/${ref.group}/${part}`),
  };
  const raw = task.render(req);
  if (raw.length !== length) throw new Error(`${task.name} rendered ${raw.length} samples, not ${length}`);
  return finishClip(raw, rng, task.channel?.(req));
}
