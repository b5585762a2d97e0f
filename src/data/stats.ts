/**
 * `mta suite stats`: per task classes, clips, duration and split sizes per class, plus two checks
 * that a sound suite passes with zero findings:
 * - group leakage: a group (speaker, source recording, track) with clips in two splits of a task;
 * - duplicate content: the same file bytes (SHA-1) used in two different splits anywhere in the
 *   suite, across tasks too, since tasks share one encoder (noise used for augmentation counts as
 *   training data).
 * With `audio`, the clips' features are prepared (cached) too, which gives exact durations and
 * finds unreadable or corrupt files.
 */
import { ContentHasher } from './content-hash.js';
import { describeAudio, plainParts, type PlainAudio } from './clip.js';
import { prepareFeatures, type PrepareOptions, type SkippedClip } from './feature-store.js';
import type { ResolvedSuite } from './resolve.js';
import { SPLITS, type Split } from './suite-schema.js';

export interface TaskStats {
  name: string;
  evalOnly: boolean;
  classes: string[];
  classWeights: number[];
  clips: number;
  /** Clips per class in each split. */
  perClass: Record<Split, number[]>;
  groups: number;
  /** Groups with clips in more than one split (must be empty). */
  leaks: { group: string; splits: Split[] }[];
  droppedClips: number;
  /** Only with audio: total duration of the readable clips, and how many clips were not readable. */
  durationSec?: number;
  unreadable?: number;
}

export interface DuplicateContent {
  /** SHA-1 of the file, or the built-in generator call. */
  content: string;
  /** One example use per split. */
  uses: { task: string; id: string; split: Split; audio: string }[];
}

export interface SuiteStats {
  name: string;
  file: string;
  tasks: TaskStats[];
  duplicates: DuplicateContent[];
  /** Clips whose audio could not be read or decoded (first few), with audio checks only. */
  unreadable?: { count: number; first: SkippedClip[] };
}

export interface StatsOptions {
  /** Decode (through the feature cache) for durations and unreadable files. */
  audio?: boolean;
  prepare?: PrepareOptions;
}

export async function suiteStats(suite: ResolvedSuite, opts: StatsOptions = {}): Promise<SuiteStats> {
  const tasks: TaskStats[] = suite.tasks.map((t) => {
    const perClass = Object.fromEntries(SPLITS.map((s) => [s, t.classes.map(() => 0)])) as Record<
      Split,
      number[]
    >;
    const groupSplits = new Map<string, Set<Split>>();
    for (const c of t.clips) {
      perClass[c.split][c.label]++;
      const g = groupSplits.get(c.group);
      if (g) g.add(c.split);
      else groupSplits.set(c.group, new Set([c.split]));
    }
    const leaks = [...groupSplits]
      .filter(([, s]) => s.size > 1)
      .map(([group, s]) => ({ group, splits: SPLITS.filter((x) => s.has(x)) }));
    return {
      name: t.name,
      evalOnly: t.evalOnly,
      classes: t.classes,
      classWeights: t.classWeights,
      clips: t.clips.length,
      perClass,
      groups: groupSplits.size,
      leaks,
      droppedClips: t.droppedClips,
    };
  });

  const stats: SuiteStats = { name: suite.name, file: suite.file, tasks, duplicates: findDuplicates(suite) };
  if (opts.audio) {
    const store = await prepareFeatures(suite, opts.prepare);
    try {
      store.tasks.forEach((st, i) => {
        let samples = 0;
        for (const n of st.samples) samples += n;
        tasks[i].durationSec = samples / store.frontend.sampleRate;
        tasks[i].unreadable = store.report.skipped.filter((s) => s.task === st.task.name).length;
      });
      stats.unreadable = { count: store.report.skipped.length, first: store.report.skipped.slice(0, 5) };
    } finally {
      store.close();
    }
  }
  return stats;
}

function findDuplicates(suite: ResolvedSuite): DuplicateContent[] {
  const hasher = new ContentHasher();
  const uses = new Map<string, Map<Split, DuplicateContent['uses'][number]>>();
  const note = (a: PlainAudio, task: string, id: string, split: Split): void => {
    let h: string;
    try {
      h = hasher.plain(a);
    } catch {
      return; // unreadable files are reported by the audio check
    }
    let m = uses.get(h);
    if (!m) uses.set(h, (m = new Map()));
    if (!m.has(split)) m.set(split, { task, id, split, audio: describeAudio(a) });
  };
  for (const t of suite.tasks) {
    for (const c of t.clips) for (const p of plainParts(c.audio)) note(p, t.name, c.id, c.split);
    for (const p of t.noisePool) note(p, t.name, '(noise augmentation)', 'train');
  }
  return [...uses]
    .filter(([, m]) => m.size > 1)
    .map(([content, m]) => ({ content, uses: SPLITS.flatMap((s) => (m.has(s) ? [m.get(s)!] : [])) }));
}
