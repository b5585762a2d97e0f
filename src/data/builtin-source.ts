/**
 * The built-in procedural suite as a suite source: `{ "type": "builtin", "task": "keyword" }` in a
 * suite file, or the whole suite as `builtinSuite()` (what `mta suite stats builtin` and training
 * without files use). Clips are generator calls, rendered on demand and cached like files.
 */
import { MtaError } from '../common/index.js';
import {
  BUILTIN_DEFAULT_SEED,
  builtinSuitePlan,
  type BuiltinClipRef,
  type BuiltinTaskSpec,
} from './builtin/index.js';
import type { RawClip } from './clip.js';
import type { FileSourceDef, SuiteDef } from './suite-schema.js';
import type { SuiteFile } from './suite-file.js';

export interface BuiltinOptions {
  seed?: number;
  clipsPerTask?: number;
}

type Plan = { tasks: BuiltinTaskSpec[]; clips: BuiltinClipRef[] };
const plans = new Map<string, Plan>();

function plan(opts: BuiltinOptions): Plan {
  const key = `${opts.seed ?? BUILTIN_DEFAULT_SEED}:${opts.clipsPerTask ?? ''}`;
  let p = plans.get(key);
  if (!p) {
    p = builtinSuitePlan(opts);
    plans.set(key, p);
  }
  return p;
}

/** The whole built-in suite as a suite definition: one task per generator task, its own splits. */
export function builtinSuite(opts: BuiltinOptions = {}): SuiteFile {
  const { tasks } = plan(opts);
  const def: SuiteDef = {
    name: 'builtin',
    description: 'the built-in procedural suite (generated, no files)',
    seed: opts.seed ?? BUILTIN_DEFAULT_SEED,
    tasks: tasks.map((t) => ({
      name: t.name,
      classes: t.classes,
      sources: [{ type: 'builtin', task: t.name, seed: opts.seed, clipsPerTask: opts.clipsPerTask }],
      otherLabels: 'error',
      evalOnly: false,
    })),
  };
  return { file: 'builtin', baseDir: process.cwd(), def };
}

export function builtinSourceClips(
  def: Extract<FileSourceDef, { type: 'builtin' }>,
  where: string,
): RawClip[] {
  const p = plan({ seed: def.seed, clipsPerTask: def.clipsPerTask });
  const spec = p.tasks.find((t) => t.name === def.task);
  if (!spec) {
    throw new MtaError('BAD_CONFIG', 'no such built-in task', {
      subject: `${where}.task`,
      expected: p.tasks.map((t) => t.name).join(' | '),
      actual: def.task,
    });
  }
  const seed = def.seed ?? BUILTIN_DEFAULT_SEED;
  return p.clips
    .filter((c) => c.task === def.task)
    .map((ref) => ({
      audio: { kind: 'builtin', ref, seed },
      relPath: `${ref.task}/${ref.id}`,
      id: `builtin/${ref.task}/${ref.id}`,
      label: spec.classes[ref.label],
      group: ref.group,
      split: ref.split,
    }));
}
