/**
 * Suite → clip records, fast (no decoding; only long files that are cut into windows have their
 * header read for the duration). Fails before any work on: a missing folder, a label regex that
 * matches nothing, a task with fewer than 2 classes, a class without clips, an empty split.
 */
import { MtaError, Rng } from '../common/index.js';
import { readAudioInfo } from '../audio/index.js';
import type { ClipRecord, FileAudio, PlainAudio, RawClip } from './clip.js';
import { ContentHasher } from './content-hash.js';
import { listSourceClips } from './source-files.js';
import { makeSplitter } from './split.js';
import type { SuiteFile } from './suite-file.js';
import {
  SPLITS,
  type AugmentConfig,
  type FileSourceDef,
  type SourceTransform,
  type Split,
  type SplitRule,
  type TaskDef,
} from './suite-schema.js';

export interface ResolvedTask {
  name: string;
  /** Class names; a clip's label is an index into this list. */
  classes: string[];
  /** Loss weight per class (all 1 unless the suite sets them). */
  classWeights: number[];
  evalOnly: boolean;
  clips: ClipRecord[];
  augment?: AugmentConfig;
  /** Audio that noise augmentation draws from (training recordings of `augment.noise.source`). */
  noisePool: PlainAudio[];
  /** Clips dropped because their label is not among `classes` (with `otherLabels: "drop"`). */
  droppedClips: number;
}

export interface ResolvedSuite {
  name: string;
  file: string;
  seed: number;
  tasks: ResolvedTask[];
}

interface Labelled extends RawClip {
  split: Split;
  group: string;
}

export async function resolveSuite(suite: SuiteFile): Promise<ResolvedSuite> {
  const tasks: ResolvedTask[] = [];
  for (const [i, t] of suite.def.tasks.entries()) {
    tasks.push(await resolveTask(suite, t, `${suite.file}: tasks[${i}]`));
  }
  return { name: suite.def.name, file: suite.file, seed: suite.def.seed, tasks };
}

async function resolveTask(suite: SuiteFile, t: TaskDef, where: string): Promise<ResolvedTask> {
  const raw: (Labelled & { mixture?: MixtureParams })[] = [];
  const taskRule: SplitRule | undefined =
    t.split ?? (t.evalOnly ? { type: 'fixed', split: 'test' } : undefined);
  for (const [j, src] of t.sources.entries()) {
    const sw = `${where}.sources[${j}]`;
    if (src.type !== 'mixture') {
      raw.push(...(await fileSourceClips(suite, src, src.split ?? taskRule, sw, `${where}.split`)));
      continue;
    }
    const speechRule = src.speech.split ?? src.split ?? taskRule;
    const speech = await fileSourceClips(suite, src.speech, speechRule, `${sw}.speech`);
    const noise = await fileSourceClips(
      suite,
      src.noise,
      src.noise.split,
      `${sw}.noise`,
      `${sw}.noise.split`,
    );
    const noiseBySplit = new Map<Split, Labelled[]>(
      SPLITS.map((s) => [s, noise.filter((n) => n.split === s)]),
    );
    for (const c of speech) {
      const pool = noiseBySplit.get(c.split)!;
      if (pool.length === 0) {
        throw new MtaError('BAD_CONFIG', `mixture has no noise clips for split "${c.split}"`, {
          subject: `${sw}.noise.split`,
        });
      }
      const rng = Rng.derive(suite.def.seed, `mixture:${t.name}:${c.id}`);
      const n = pool[rng.int(pool.length)];
      raw.push({
        ...c,
        id: `mix:${c.id}`,
        mixture: {
          noise: n.audio,
          snrDb: rng.uniform(src.snrDb[0], src.snrDb[1]),
          seed: rng.nextU32(),
          minSeconds: src.minSeconds,
        },
      });
    }
  }

  const { classes, labels, dropped } = assignLabels(t, raw, where);
  const clips: ClipRecord[] = [];
  const ids = new Set<string>();
  raw.forEach((c, k) => {
    if (labels[k] < 0) return;
    if (ids.has(c.id)) {
      throw new MtaError('BAD_CONFIG', `the same clip is listed twice in one task: ${c.id}`, {
        subject: where,
      });
    }
    ids.add(c.id);
    clips.push({
      task: t.name,
      id: c.id,
      label: labels[k],
      split: t.evalOnly ? 'test' : c.split,
      group: c.group,
      audio: c.mixture ? { kind: 'mixture', speech: c.audio, ...c.mixture } : c.audio,
    });
  });
  checkTask(t, classes, clips, where);

  let noisePool: PlainAudio[] = [];
  if (t.augment?.noise) {
    if (clips.some((c) => c.audio.kind === 'mixture')) {
      throw new MtaError('BAD_CONFIG', 'noise augmentation of mixture sources is not supported', {
        subject: `${where}.augment.noise`,
        hint: 'mixtures already carry noise; widen the mixture SNR range instead',
      });
    }
    const src = t.augment.noise.source;
    const rule: SplitRule = src.split ?? { type: 'fixed', split: 'train' };
    const pool = await fileSourceClips(suite, src, rule, `${where}.augment.noise.source`);
    noisePool = pool.filter((c) => c.split === 'train').map((c) => c.audio);
    if (noisePool.length === 0) {
      throw new MtaError('BAD_CONFIG', 'noise augmentation source has no training clips', {
        subject: `${where}.augment.noise.source`,
      });
    }
  }
  return {
    name: t.name,
    classes,
    classWeights: classWeights(t, classes, clips, where),
    evalOnly: t.evalOnly,
    clips,
    augment: t.augment,
    noisePool,
    droppedClips: dropped,
  };
}

interface FileSourceOptions {
  include?: string;
  exclude?: string;
  groupRegex?: string;
  groupDuplicates?: boolean;
  transform?: SourceTransform;
}

interface MixtureParams {
  noise: PlainAudio;
  snrDb: number;
  seed: number;
  minSeconds: number;
}

/** Lists a file source and applies its filters, constant label, groups, windows and split rule. */
async function fileSourceClips(
  suite: SuiteFile,
  src: FileSourceDef,
  rule: SplitRule | undefined,
  where: string,
  ruleWhere = `${where}.split`,
): Promise<Labelled[]> {
  let clips = listSourceClips(src, { baseDir: suite.baseDir, where });
  const opts: FileSourceOptions = src.type === 'builtin' ? {} : src;
  if (opts.include !== undefined) {
    const re = new RegExp(opts.include, 'u');
    clips = clips.filter((c) => re.test(c.relPath));
  }
  if (opts.exclude !== undefined) {
    const re = new RegExp(opts.exclude, 'u');
    clips = clips.filter((c) => !re.test(c.relPath));
  }
  if (clips.length === 0) {
    throw new MtaError('BAD_DATA', 'source has no clips (after include/exclude)', { subject: where });
  }
  if (src.label !== undefined) for (const c of clips) c.label = src.label;
  if (opts.groupRegex !== undefined) {
    const re = new RegExp(opts.groupRegex, 'u');
    for (const c of clips) {
      const m = re.exec(c.relPath);
      const g = m ? (m.groups?.group ?? m[1] ?? m[0]) : undefined;
      if (g === undefined) {
        throw new MtaError('BAD_CONFIG', `group regex does not match the path ${c.relPath}`, {
          subject: `${where}.groupRegex`,
        });
      }
      c.group = g;
    }
  }
  if (opts.groupDuplicates) mergeDuplicateGroups(clips);
  const transform: SourceTransform = opts.transform ?? {};
  if (transform.window) clips = await cutWindows(clips, transform.window, where);
  if (transform.resampleThroughHz !== undefined) {
    for (const c of clips) c.audio = { ...c.audio, resampleThroughHz: transform.resampleThroughHz };
  }
  const splitter = makeSplitter(rule ?? { type: 'explicit' }, suite.baseDir, ruleWhere);
  return clips.map((c) => {
    const group = c.group ?? c.relPath;
    return { ...c, group, split: splitter({ relPath: c.relPath, group, split: c.split }) };
  });
}

/** Union-find over groups: clips with the same file content end up in the smallest group name. */
function mergeDuplicateGroups(clips: RawClip[]): void {
  const hasher = new ContentHasher();
  const parent = new Map<string, string>();
  const find = (g: string): string => {
    let r = g;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const byContent = new Map<string, string>();
  for (const c of clips) {
    const g = c.group ?? c.relPath;
    if (!parent.has(g)) parent.set(g, g);
    let h: string;
    try {
      h = hasher.plain(c.audio);
    } catch {
      continue; // unreadable: skipped (and reported) when features are extracted
    }
    const other = byContent.get(h);
    if (other === undefined) byContent.set(h, g);
    else {
      const [a, b] = [find(other), find(g)];
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    }
  }
  for (const c of clips) c.group = find(c.group ?? c.relPath);
}

async function cutWindows(
  clips: RawClip[],
  w: NonNullable<SourceTransform['window']>,
  where: string,
): Promise<RawClip[]> {
  const hop = w.hopSeconds ?? w.seconds;
  const minLast = w.minSeconds ?? w.seconds;
  const out: RawClip[] = [];
  for (const c of clips) {
    if (c.audio.kind !== 'file') {
      throw new MtaError('BAD_CONFIG', 'windows apply to files only', {
        subject: `${where}.transform.window`,
      });
    }
    const file: FileAudio = c.audio;
    const { durationSec } = await readAudioInfo(file.path);
    for (let start = 0; start + minLast <= durationSec + 1e-9; start += hop) {
      const durationSec2 = Math.min(w.seconds, durationSec - start);
      const tag = `@${start.toFixed(3)}+${durationSec2.toFixed(3)}`;
      out.push({
        ...c,
        // The file's group (default: its path) keeps all windows of one recording in one split.
        group: c.group ?? c.relPath,
        id: c.id + tag,
        audio: { kind: 'file', path: file.path, window: { startSec: start, durationSec: durationSec2 } },
      });
    }
  }
  return out;
}

function assignLabels(
  t: TaskDef,
  raw: RawClip[],
  where: string,
): { classes: string[]; labels: number[]; dropped: number } {
  const names = raw.map((c) => t.labelMap?.[c.label] ?? c.label);
  const classes = t.classes ?? [...new Set(names)].sort(naturalCompare);
  const index = new Map(classes.map((c, i) => [c, i]));
  let dropped = 0;
  const labels = names.map((n, k) => {
    const i = index.get(n);
    if (i !== undefined) return i;
    if (t.otherLabels === 'drop') {
      dropped++;
      return -1;
    }
    throw new MtaError('BAD_DATA', `label "${n}" (of ${raw[k].id}) is not in the class list`, {
      subject: `${where}.classes`,
      hint: 'add the class, map it with labelMap, or set "otherLabels": "drop"',
    });
  });
  return { classes, labels, dropped };
}

function checkTask(t: TaskDef, classes: string[], clips: ClipRecord[], where: string): void {
  if (classes.length < 2) {
    throw new MtaError('BAD_DATA', `task "${t.name}" has fewer than 2 classes`, {
      subject: where,
      expected: '≥ 2 classes',
      actual: classes.join(', ') || '(none)',
    });
  }
  const perClass = new Array<number>(classes.length).fill(0);
  for (const c of clips) perClass[c.label]++;
  const empty = classes.filter((_, i) => perClass[i] === 0);
  if (empty.length > 0) {
    throw new MtaError('BAD_DATA', `class "${empty[0]}" has no clips`, { subject: `${where}.classes` });
  }
  for (const s of t.evalOnly ? (['test'] as const) : SPLITS) {
    if (!clips.some((c) => c.split === s)) {
      throw new MtaError('BAD_DATA', `split "${s}" is empty`, {
        subject: `${where}.split`,
        hint: 'check the split rule against the paths it sees (relative to the source root)',
      });
    }
  }
}

function classWeights(t: TaskDef, classes: string[], clips: ClipRecord[], where: string): number[] {
  const w = t.classWeights;
  if (w === undefined) return classes.map(() => 1);
  if (w === 'balanced') {
    const counts = classes.map((_, i) => clips.filter((c) => c.split === 'train' && c.label === i).length);
    const inv = counts.map((n) => (n > 0 ? 1 / n : 0));
    const mean = inv.reduce((a, b) => a + b, 0) / classes.length;
    return inv.map((x) => x / mean);
  }
  for (const k of Object.keys(w)) {
    if (!classes.includes(k)) {
      throw new MtaError('BAD_CONFIG', `class "${k}" is not in the class list`, {
        subject: `${where}.classWeights`,
      });
    }
  }
  return classes.map((c) => w[c] ?? 1);
}

/** Orders "2" before "10" so numeric classes (digits, semitones) keep their natural order. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
