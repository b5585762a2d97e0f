/**
 * The suite's plan: which clips exist, their labels, groups and splits. Cheap (no audio), and
 * every field of clip k depends only on (seed, task, k), never on the suite's size: a larger
 * suite extends a smaller one, and a clip's audio is the same in both.
 *
 * - label: clip k has label k mod classes, so classes are balanced to within one clip.
 * - group: each pool of sources (per class, or shared by all classes) is laid out in a seeded
 *   cycle in which train, val and test sources are interleaved as evenly as possible; the j-th
 *   clip of a class takes the source at position j (plus a seeded per-class offset) of the cycle.
 * - split: the split of the clip's source, so a source never spans two splits. Because the cycle
 *   interleaves the splits evenly, every class's clips are split 70/15/15 to within a clip or two
 *   (exactly, per full cycle, when the pool size is a multiple of 20).
 */
import { Rng } from '../../common/index.js';
import { DEFAULT_CLIPS_PER_TASK, DEFAULT_SEED, checkClipsPerTask, checkSeed } from './options.js';
import { BUILTIN_TASKS } from './registry.js';
import type { BuiltinClipRef, BuiltinTaskSpec, Split, TaskGenerator } from './types.js';

const SPLIT_FRACTIONS: [Split, number][] = [
  ['train', 0.7],
  ['val', 0.15],
  ['test', 0.15],
];

/** Splits for positions 0..n-1 of a cycle: at each step, the split furthest behind its share. */
function interleavedSplits(n: number): Split[] {
  const taken = SPLIT_FRACTIONS.map(() => 0);
  return Array.from({ length: n }, (_, p) => {
    let best = 0;
    SPLIT_FRACTIONS.forEach(([, frac], s) => {
      if ((p + 1) * frac - taken[s] > (p + 1) * SPLIT_FRACTIONS[best][1] - taken[best]) best = s;
    });
    taken[best]++;
    return SPLIT_FRACTIONS[best][0];
  });
}

interface Cycle {
  groups: string[];
  splits: Split[];
}

/** One pool's cycle: source ids, seeded-shuffled within each split, placed on the interleaved pattern. */
function groupCycle(task: TaskGenerator, seed: number, owner: string): Cycle {
  const { count, prefix } = task.groups;
  const splits = interleavedSplits(count);
  const ids = Array.from(
    { length: count },
    (_, k) => `${owner ? `${owner}-` : ''}${prefix}${String(k).padStart(2, '0')}`,
  );
  Rng.derive(seed, `builtin/${task.name}/groups/${owner}`).shuffle(ids);
  return { groups: ids, splits };
}

function planTask(task: TaskGenerator, seed: number, clips: number): BuiltinClipRef[] {
  const K = task.classes.length;
  const shared = task.groups.perClass ? undefined : groupCycle(task, seed, '');
  const cycles = task.classes.map((c) => shared ?? groupCycle(task, seed, c));
  // Per-class offsets, so classes sharing a pool do not meet the same source at the same position.
  const offsets = task.classes.map((_, c) =>
    Rng.derive(seed, `builtin/${task.name}/offset/${c}`).int(task.groups.count),
  );
  return Array.from({ length: clips }, (_, index) => {
    const label = index % K;
    const cycle = cycles[label];
    const pos = (Math.floor(index / K) + offsets[label]) % task.groups.count;
    return {
      task: task.name,
      index,
      label,
      split: cycle.splits[pos],
      group: cycle.groups[pos],
      id: `${task.name}-${String(index).padStart(5, '0')}`,
    };
  });
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
