/**
 * Sweeps: a grid of training runs (baselines and adapters over widths, λ, cost measures and seeds),
 * run one after another, resumable (a finished run is skipped, an interrupted one resumes from its
 * checkpoint), then summarised as accuracy-versus-cost frontiers compared at matched exact cost.
 *
 * Grid file:
 *   { "suite": "builtin", "clipsPerTask": 300, "seeds": [1, 2, 3],
 *     "common": { "batchSize": 32, "searchEpochs": 8 },
 *     "groups": [
 *       { "name": "multihead-w{width}", "baseline": "multihead", "width": [0.25, 0.5, 1] },
 *       { "name": "adapters-{cost}-w{width}-l{lambda}", "width": [0.25, 0.5], "lambda": [1, 4], "cost": ["params", "macs"] } ] }
 * Array values expand as a Cartesian product; `{field}` in the name is replaced by the value.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MtaError } from '../common/index.js';
import { parseTrainOptions, type TrainOptions } from './options.js';
import type { RunMetrics } from './report.js';
import { runTraining } from './run.js';

const scalar = z.union([z.number(), z.string(), z.boolean()]);
const gridSchema = z.object({
  suite: z.string(),
  clipsPerTask: z.number().int().positive().optional(),
  tasks: z.array(z.string()).optional(),
  seeds: z.array(z.number().int().nonnegative()).min(1),
  common: z.record(z.string(), scalar).default({}),
  groups: z
    .array(z.object({ name: z.string().min(1) }).catchall(z.union([scalar, z.array(scalar).min(1)])))
    .min(1),
});

export type SweepGrid = z.infer<typeof gridSchema>;

export interface SweepRun {
  /** The configuration's name (shared by its seeds). */
  config: string;
  seed: number;
  dir: string;
  options: TrainOptions;
}

export function parseGrid(x: unknown, subject: string): SweepGrid {
  const r = gridSchema.safeParse(x);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MtaError('BAD_CONFIG', `${issue.path.join('.') || '(root)'}: ${issue.message}`, { subject });
  }
  return r.data;
}

/** Every run of the grid, in file order, seeds innermost. */
export function expandGrid(grid: SweepGrid, outDir: string, subject: string): SweepRun[] {
  const runs: SweepRun[] = [];
  const names = new Set<string>();
  for (const g of grid.groups) {
    const { name, ...fields } = g;
    let combos: Record<string, unknown>[] = [{}];
    for (const [k, v] of Object.entries(fields)) {
      const values = Array.isArray(v) ? v : [v];
      combos = combos.flatMap((c) => values.map((value) => ({ ...c, [k]: value })));
    }
    for (const c of combos) {
      const config = name.replace(/\{(\w+)\}/g, (_, k: string) => String(c[k] ?? grid.common[k] ?? `{${k}}`));
      if (names.has(config)) {
        throw new MtaError('BAD_CONFIG', `two runs are both named "${config}"`, {
          subject,
          hint: 'put every varying field in the group name, e.g. "{width}"',
        });
      }
      names.add(config);
      for (const seed of grid.seeds) {
        const options = parseTrainOptions({ ...grid.common, ...c, seed } as Partial<
          Record<keyof TrainOptions, unknown>
        >);
        runs.push({ config, seed, dir: join(outDir, `${config}-s${seed}`), options });
      }
    }
  }
  return runs;
}

export async function runSweep(
  grid: SweepGrid,
  outDir: string,
  opts: { cacheDir?: string; subject: string; log?: (s: string) => void },
): Promise<void> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const runs = expandGrid(grid, outDir, opts.subject);
  for (const [i, r] of runs.entries()) {
    if (existsSync(join(r.dir, 'metrics.json'))) {
      log(`[${i + 1}/${runs.length}] ${r.config} seed ${r.seed}: done before`);
      continue;
    }
    log(`[${i + 1}/${runs.length}] ${r.config} seed ${r.seed}`);
    const resume = existsSync(join(r.dir, 'checkpoint.safetensors'));
    await runTraining({
      suite: grid.suite,
      out: r.dir,
      options: { ...r.options, resume },
      cacheDir: opts.cacheDir,
      clipsPerTask: grid.clipsPerTask,
      tasks: grid.tasks,
    });
  }
}

/** Metrics of every finished run under `dir`, by configuration name. */
export function collectRuns(dir: string): Map<string, RunMetrics[]> {
  const out = new Map<string, RunMetrics[]>();
  for (const entry of readdirSync(dir).sort()) {
    const m = /^(.*)-s(\d+)$/.exec(entry);
    const file = join(dir, entry, 'metrics.json');
    if (!m || !existsSync(file)) continue;
    const metrics = JSON.parse(readFileSync(file, 'utf8')) as RunMetrics;
    if (!out.has(m[1])) out.set(m[1], []);
    out.get(m[1])!.push(metrics);
  }
  return out;
}
