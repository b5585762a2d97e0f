/**
 * `mta suite generate builtin --out <dir> [--seed N] [--clips-per-task N] [--tasks a,b]`: writes the built-in
 * procedural suite as 16-bit WAV files, <dir>/<task>/<class>/<id>.wav, plus <dir>/manifest.jsonl
 * (one clip per line: path relative to <dir>, task, label, split, group, id) and <dir>/builtin.json
 * (generator version, seed, class order). The manifest is written last, so a folder with a
 * manifest is complete.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_SAMPLE_RATE as SAMPLE_RATE, writeWav } from '../../audio/index.js';
import { MtaError, isMtaError, progress, writeFileAtomic } from '../../common/index.js';
import {
  BUILTIN_DEFAULT_CLIPS_PER_TASK,
  BUILTIN_DEFAULT_SEED,
  BUILTIN_GENERATOR_VERSION,
  builtinSuitePlan,
  renderBuiltinClip,
} from '../../data/index.js';

interface GenerateOptions {
  out: string;
  seed: number;
  clipsPerTask: number;
  tasks?: string;
}

function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) {
      throw new MtaError('BAD_ARGUMENT', 'must be a whole number', {
        subject: flag,
        expected: 'a non-negative integer',
        actual: value,
      });
    }
    return Number(value);
  };
}

/** The plan, with its range errors renamed from option names to the flags the user typed. */
function plan(opts: GenerateOptions): ReturnType<typeof builtinSuitePlan> {
  try {
    return builtinSuitePlan({ seed: opts.seed, clipsPerTask: opts.clipsPerTask });
  } catch (e) {
    const flags: Record<string, string> = { seed: '--seed', clipsPerTask: '--clips-per-task' };
    if (isMtaError(e) && e.subject && flags[e.subject]) {
      throw new MtaError(e.code, e.message, {
        subject: flags[e.subject],
        expected: e.expected,
        actual: e.actual,
        hint: e.hint,
      });
    }
    throw e;
  }
}

function generate(suite: string, opts: GenerateOptions): void {
  if (suite !== 'builtin') {
    throw new MtaError('BAD_ARGUMENT', 'only the built-in suite can be generated', {
      subject: 'suite',
      expected: 'builtin',
      actual: suite,
    });
  }
  if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) {
    throw new MtaError('BAD_ARGUMENT', 'exists and is not a folder', { subject: opts.out });
  }
  const full = plan(opts);
  const names = full.tasks.map((t) => t.name);
  const wanted = opts.tasks === undefined ? names : opts.tasks.split(',').map((t) => t.trim());
  const unknown = wanted.filter((t) => !names.includes(t));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new MtaError('BAD_ARGUMENT', 'unknown built-in task', {
      subject: '--tasks',
      expected: `comma-separated names from ${names.join(', ')}`,
      actual: opts.tasks,
    });
  }
  const tasks = full.tasks.filter((t) => wanted.includes(t.name));
  const clips = full.clips.filter((c) => wanted.includes(c.task));
  const manifestPath = join(opts.out, 'manifest.jsonl');
  // A stale manifest would describe a mix of old and new files if this run stopped part-way.
  rmSync(manifestPath, { force: true });
  const lines: string[] = [];
  let seconds = 0;
  const started = performance.now();
  const bar = progress('generate builtin', clips.length, 'clips');
  for (const ref of clips) {
    const label = tasks.find((t) => t.name === ref.task)!.classes[ref.label];
    const path = `${ref.task}/${label}/${ref.id}.wav`;
    const samples = renderBuiltinClip(ref, { seed: opts.seed });
    writeWav(join(opts.out, path), samples, SAMPLE_RATE);
    seconds += samples.length / SAMPLE_RATE;
    lines.push(
      JSON.stringify({ path, task: ref.task, label, split: ref.split, group: ref.group, id: ref.id }),
    );
    bar.tick(1, ref.task);
  }
  bar.stop();
  const info = {
    generator: BUILTIN_GENERATOR_VERSION,
    seed: opts.seed,
    clipsPerTask: opts.clipsPerTask,
    sampleRate: SAMPLE_RATE,
    tasks,
  };
  writeFileAtomic(join(opts.out, 'builtin.json'), `${JSON.stringify(info, null, 2)}\n`);
  writeFileAtomic(manifestPath, `${lines.join('\n')}\n`);
  const wall = (performance.now() - started) / 1000;
  process.stdout.write(
    `wrote ${clips.length} clips (${(seconds / 60).toFixed(1)} min of audio, ${tasks.length} tasks) ` +
      `to ${opts.out} in ${wall.toFixed(1)} s; manifest ${manifestPath}\n`,
  );
}

/** Attaches `generate` to the `mta suite` command. */
export function registerSuiteGenerate(suiteCmd: Command): void {
  suiteCmd
    .command('generate')
    .description('Write the built-in procedural suite as WAV files plus a manifest.jsonl.')
    .argument('<suite>', 'which suite to write: builtin')
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option('--seed <n>', 'generator seed', wholeNumber('--seed'), BUILTIN_DEFAULT_SEED)
    .option(
      '--clips-per-task <n>',
      'clips per task',
      wholeNumber('--clips-per-task'),
      BUILTIN_DEFAULT_CLIPS_PER_TASK,
    )
    .option('--tasks <names>', 'only these tasks, comma-separated (default: all eight)')
    .action((suite: string, opts: GenerateOptions) => generate(suite, opts));
}
