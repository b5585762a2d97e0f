import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { MtaError, writeFileAtomic } from '../../common/index.js';
import {
  allocationTable,
  collectRuns,
  frontierReport,
  parseGrid,
  runSweep,
  sweepPoints,
  type SweepPoint,
} from '../../train/index.js';

const HELP_RUN = `
A grid file names a suite, seeds, options common to every run, and groups whose array-valued options
expand as a Cartesian product (see docs/RESULTS.md for the grid behind the published figures):
  { "suite": "builtin", "seeds": [1, 2, 3], "common": { "batchSize": 32 },
    "groups": [ { "name": "multihead-w{width}", "baseline": "multihead", "width": [0.25, 0.5, 1] },
                { "name": "adapters-{cost}-w{width}-l{lambda}", "width": 0.5, "lambda": [1, 4], "cost": ["params", "macs"] } ] }
Each run is a normal \`mta train\` folder <out>/<name>-s<seed>. Finished runs are skipped and an
interrupted one resumes, so the same command continues a stopped sweep.`;

function readGrid(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MtaError('FILE_NOT_FOUND', 'cannot read the grid file', { subject: path, cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MtaError('BAD_CONFIG', 'not valid JSON', { subject: path, cause: e });
  }
  return parseGrid(json, path);
}

/**
 * A params-cost and a MACs-cost adapter run to contrast their allocations: the same encoder width and
 * λ when the sweep has such a pair (then only the cost measure differs), else the two closest in params.
 */
function allocationPair(points: SweepPoint[]): [SweepPoint, SweepPoint] | undefined {
  const p = points.filter((x) => x.family.startsWith('adapters-params'));
  const m = points.filter((x) => x.family.startsWith('adapters-macs'));
  const same = (a: SweepPoint, b: SweepPoint): boolean =>
    a.runs[0].width === b.runs[0].width && a.runs[0].lambda === b.runs[0].lambda;
  let best: [SweepPoint, SweepPoint] | undefined;
  const distance = (a: SweepPoint, b: SweepPoint): number =>
    (same(a, b) ? 0 : 1) * 100 + Math.abs(Math.log(a.params / b.params));
  for (const a of p) {
    for (const b of m) if (!best || distance(a, b) < distance(...best)) best = [a, b];
  }
  return best;
}

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('Run a grid of training runs, and report accuracy-versus-cost frontiers.');
  sweep
    .command('run')
    .description('Run (or continue) every run of a grid file.')
    .argument('<grid>', 'grid JSON file')
    .requiredOption('--out <dir>', 'sweep folder')
    .option('--cache-dir <dir>', 'feature cache folder (default .cache/mta)')
    .addHelpText('after', HELP_RUN)
    .action(async (grid: string, f: { out: string; cacheDir?: string }) => {
      await runSweep(readGrid(grid), f.out, { cacheDir: f.cacheDir, subject: grid });
    });
  sweep
    .command('report')
    .description('Summarise a sweep folder: all points, adapters vs multi-head at matched cost, allocations.')
    .argument('<dir>', 'sweep folder')
    .option('--out <file>', 'write the markdown here instead of stdout')
    .action((dir: string, f: { out?: string }) => {
      const points = sweepPoints(collectRuns(dir));
      if (points.length === 0)
        throw new MtaError('BAD_ARGUMENT', 'no finished runs in this folder', { subject: dir });
      let md = frontierReport(points);
      const pair = allocationPair(points);
      if (pair) {
        for (const p of pair) {
          md += `\n\n### Allocation of ${p.config} (seed ${p.runs[0].seed}): alive channels / maximum per block\n\n`;
          md += allocationTable(p.runs[0]);
        }
      }
      if (f.out) writeFileAtomic(f.out, `${md}\n`);
      else process.stdout.write(`${md}\n`);
    });
}
