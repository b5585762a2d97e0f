import type { Command } from 'commander';
import { join } from 'node:path';
import {
  comparisonTable,
  parseTrainOptions,
  runTraining,
  type RunMetrics,
  type TrainOptions,
} from '../../train/index.js';
import { writeFileAtomic } from '../../common/index.js';
import { integerFlag } from '../flags.js';

/**
 * The main job (`npm start`): on the built-in procedural suite, train the multi-head baseline and
 * adapters under each cost measure, then print one comparison table. Sized to finish in minutes on
 * a 2-core machine; every run is a normal `mta train` run folder.
 */
export const MAIN_JOB: Partial<TrainOptions> = {
  width: 0.5,
  batchSize: 32,
  searchEpochs: 12,
  finetuneEpochs: 12,
  patience: 4,
  pruneEvery: 10,
  lambda: 10,
};

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'Run the main job: multi-head baseline vs adapters (params and MACs cost) on the built-in suite.',
    )
    .option('--out <dir>', 'run folder', 'runs/main')
    .option(
      '--clips-per-task <n>',
      'clips per task of the built-in suite (default 500)',
      integerFlag('--clips-per-task'),
    )
    .option('--seed <n>', 'random seed', integerFlag('--seed'), 1)
    .option('--cache-dir <dir>', 'feature cache folder (default .cache/mta)')
    .action(async (f: { out: string; clipsPerTask?: number; seed: number; cacheDir?: string }) => {
      const t0 = performance.now();
      const runs: { name: string; options: Partial<TrainOptions> }[] = [
        { name: 'multihead', options: { baseline: 'multihead' } },
        { name: 'adapters-params', options: { cost: 'params' } },
        { name: 'adapters-macs', options: { cost: 'macs' } },
      ];
      const results: { name: string; metrics: RunMetrics }[] = [];
      for (const r of runs) {
        process.stderr.write(`\n== ${r.name} ==\n`);
        const out = await runTraining({
          suite: 'builtin',
          out: join(f.out, r.name),
          options: parseTrainOptions({ ...MAIN_JOB, ...r.options, seed: f.seed }),
          clipsPerTask: f.clipsPerTask,
          cacheDir: f.cacheDir,
        });
        results.push({ name: r.name, metrics: out.metrics });
      }
      const table = comparisonTable(results);
      const minutes = ((performance.now() - t0) / 60000).toFixed(1);
      const summary = `Test clip accuracy per task, mean, and exact cost (built-in suite, seed ${f.seed}):\n${table}\n`;
      writeFileAtomic(join(f.out, 'summary.txt'), summary);
      process.stdout.write(`\n${summary}\nruns in ${f.out}/ (${minutes} min)\n`);
    });
}
