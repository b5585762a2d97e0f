/**
 * The suite's plan: which clips exist, their labels, splits and groups. Cheap (no audio), and a
 * pure function of (seed, clipsPerTask). Labels cycle through the classes (clip k has label
 * k mod classes), so every class gets the same number of clips, ±1. Splits are stratified: within
 * each class a seeded shuffle sends 70/15/15% to train/val/test. Groups come from pools that are
 * themselves split 70/15/15, and a clip takes a group from its own split's pool, so no group can
 * span two splits.
 */
import { Rng } from '../../common/index.js';
import { DEFAULT_CLIPS_PER_TASK, DEFAULT_SEED, checkClipsPerTask, checkSeed } from './options.js';
import { BUILTIN_TASKS } from './registry.js';
import type { BuiltinClipRef, BuiltinTaskSpec, Split, TaskGenerator } from './types.js';

const VAL_FRACTION = 0.15;
const TEST_FRACTION = 0.15;
const SPLITS: Split[] = ['train', 'val', 'test'];

/**
 * Per-class split sizes. Rounding runs on cumulative counts across classes, so task totals are as
 * close to 70/15/15 as whole clips allow; each class keeps at least one training clip.
 */
function splitSizes(perClass: number[]): [number, number, number][] {
  let seen = 0;
  let val = 0;
  let test = 0;
  return perClass.map((n) => {
    seen += n;
    const v = Math.min(Math.max(0, Math.round(VAL_FRACTION * seen) - val), n - 1);
    const t = Math.min(Math.max(0, Math.round(TEST_FRACTION * seen) - test), n - 1 - v);
    val += v;
    test += t;
    return [n - v - t, v, t];
  });
}

/** The pool's group ids, seeded-shuffled and cut 70/15/15 (each split gets at least one). */
function groupPools(task: TaskGenerator, seed: number, owner: string): Record<Split, string[]> {
  const { count, prefix } = task.groups;
  const ids = Array.from(
    { length: count },
    (_, k) => `${owner ? `${owner}-` : ''}${prefix}${String(k).padStart(2, '0')}`,
  );
  Rng.derive(seed, `builtin/${task.name}/groups/${owner}`).shuffle(ids);
  const val = Math.max(1, Math.round(VAL_FRACTION * count));
  const test = Math.max(1, Math.round(TEST_FRACTION * count));
  const train = count - val - test;
  return { train: ids.slice(0, train), val: ids.slice(train, train + val), test: ids.slice(train + val) };
}

function planTask(task: TaskGenerator, seed: number, clips: number): BuiltinClipRef[] {
  const K = task.classes.length;
  const perClass = task.classes.map((_, c) => Math.floor(clips / K) + (c < clips % K ? 1 : 0));
  const sizes = splitSizes(perClass);
  const shared = task.groups.perClass ? undefined : groupPools(task, seed, '');
  const refs: BuiltinClipRef[] = [];
  const splitOf: Split[][] = [];
  const groupsOf: string[][] = [];
  for (let c = 0; c < K; c++) {
    const order = Rng.derive(seed, `builtin/${task.name}/split/${c}`).shuffle(
      Array.from({ length: perClass[c] }, (_, j) => j),
    );
    const splits: Split[] = new Array(perClass[c]);
    const groups: string[] = new Array(perClass[c]);
    const pools = shared ?? groupPools(task, seed, task.classes[c]);
    let rank = 0;
    SPLITS.forEach((split, s) => {
      const pool = pools[split];
      // Groups go round-robin from a seeded starting point, so each gets an even share of the class.
      const offset = Rng.derive(seed, `builtin/${task.name}/offset/${c}/${split}`).int(pool.length);
      for (let r = 0; r < sizes[c][s]; r++, rank++) {
        splits[order[rank]] = split;
        groups[order[rank]] = pool[(offset + r) % pool.length];
      }
    });
    splitOf.push(splits);
    groupsOf.push(groups);
  }
  for (let index = 0; index < clips; index++) {
    const label = index % K;
    const j = Math.floor(index / K);
    refs.push({
      task: task.name,
      index,
      label,
      split: splitOf[label][j],
      group: groupsOf[label][j],
      id: `${task.name}-${String(index).padStart(5, '0')}`,
    });
  }
  return refs;
}

/** The eight tasks (names and class lists) and every clip, in task order then index order. */
export function builtinSuitePlan(opts: { seed?: number; clipsPerTask?: number } = {}): {
  tasks: BuiltinTaskSpec[];
  clips: BuiltinClipRef[];
} {
  const seed = checkSeed(opts.seed ?? DEFAULT_SEED);
  const clips = checkClipsPerTask(opts.clipsPerTask ?? DEFAULT_CLIPS_PER_TASK);
  return {
    tasks: BUILTIN_TASKS.map((t) => ({ name: t.name, classes: [...t.classes] })),
    clips: BUILTIN_TASKS.flatMap((t) => planTask(t, seed, clips)),
  };
}
