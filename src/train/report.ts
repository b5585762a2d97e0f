/**
 * metrics.json and the human-readable summary of a training run. Costs are exact (from alive channel
 * counts, src/model/cost.ts), never the surrogate.
 */
import type { CostReport, ModelConfig } from '../model/index.js';
import type { EpochRecord } from './checkpoint.js';
import type { TaskAccuracy } from './evaluate.js';

export interface TaskMetrics {
  classes: string[];
  test: Omit<TaskAccuracy, 'confusion'>;
  val: Omit<TaskAccuracy, 'confusion'>;
  confusion: number[][];
  params: number;
  macs: number;
  /** Alive adapter channels per block (time conv, frequency conv) and the block's maximum. */
  allocation: { block: number; time: number; freq: number; max: number }[];
}

export interface RunMetrics {
  format: 'mta-metrics';
  version: 1;
  suite: string;
  baseline: string;
  cost: string;
  lambda: number;
  seed: number;
  width: number;
  meanAccuracy: { testClip: number; testPatch: number; valClip: number };
  exact: {
    total: { params: number; macs: number };
    shared: { params: number; macs: number };
    tasks: Record<string, { params: number; macs: number }>;
    layers: { layer: string; inChannels: number; outChannels: number; params: number; macs: number }[];
  };
  tasks: Record<string, TaskMetrics>;
  training: { steps: number; seconds: number; bestStep: number; history: EpochRecord[] };
}

const strip = (a: TaskAccuracy): Omit<TaskAccuracy, 'confusion'> => ({
  patchAccuracy: a.patchAccuracy,
  clipAccuracy: a.clipAccuracy,
  patches: a.patches,
  clips: a.clips,
});

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

export function buildMetrics(
  args: Pick<RunMetrics, 'suite' | 'baseline' | 'cost' | 'lambda' | 'seed' | 'width' | 'training'> & {
    config: ModelConfig;
    exact: CostReport;
    test: TaskAccuracy[];
    val: TaskAccuracy[];
  },
): RunMetrics {
  const { config, exact } = args;
  const tasks: Record<string, TaskMetrics> = {};
  config.tasks.forEach((t, i) => {
    const tc = exact.tasks[t.name];
    tasks[t.name] = {
      classes: t.classes,
      test: strip(args.test[i]),
      val: strip(args.val[i]),
      confusion: args.test[i].confusion,
      params: tc.params,
      macs: tc.macs,
      allocation: tc.alive.map((a, l) => ({
        block: l,
        time: a.time,
        freq: a.freq,
        max: config.blocks[l].adapterWidth,
      })),
    };
  });
  return {
    format: 'mta-metrics',
    version: 1,
    suite: args.suite,
    baseline: args.baseline,
    cost: args.cost,
    lambda: args.lambda,
    seed: args.seed,
    width: args.width,
    meanAccuracy: {
      testClip: mean(args.test.map((a) => a.clipAccuracy)),
      testPatch: mean(args.test.map((a) => a.patchAccuracy)),
      valClip: mean(args.val.map((a) => a.clipAccuracy)),
    },
    exact: {
      total: exact.total,
      shared: { params: exact.shared.params, macs: exact.shared.macs },
      tasks: Object.fromEntries(
        Object.entries(exact.tasks).map(([k, v]) => [k, { params: v.params, macs: v.macs }]),
      ),
      layers: [...exact.shared.layers, ...Object.values(exact.tasks).flatMap((t) => t.layers)],
    },
    tasks,
    training: args.training,
  };
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
    .join('\n');
}

/** Per task: test clip accuracy, params, MACs and the allocation (alive freq channels per block). */
export function summaryTable(m: RunMetrics): string {
  const header = ['task', 'test acc', 'patch acc', 'params', 'MACs', 'adapter channels per block'];
  const rows = Object.entries(m.tasks).map(([name, t]) => [
    name,
    pct(t.test.clipAccuracy),
    pct(t.test.patchAccuracy),
    formatCount(t.params),
    formatCount(t.macs),
    t.allocation.map((a) => (a.max ? `${a.freq}/${a.max}` : '-')).join(' '),
  ]);
  rows.push([
    'shared encoder',
    '',
    '',
    formatCount(m.exact.shared.params),
    formatCount(m.exact.shared.macs),
    '',
  ]);
  rows.push([
    'total / mean',
    pct(m.meanAccuracy.testClip),
    pct(m.meanAccuracy.testPatch),
    formatCount(m.exact.total.params),
    formatCount(m.exact.total.macs),
    '',
  ]);
  return table([header, ...rows]);
}

/** One line per run, for comparing models side by side (the main job's table). */
export function comparisonTable(runs: { name: string; metrics: RunMetrics }[]): string {
  const tasks = Object.keys(runs[0].metrics.tasks);
  const header = ['model', ...tasks, 'mean', 'params', 'MACs'];
  const rows = runs.map(({ name, metrics }) => [
    name,
    ...tasks.map((t) => pct(metrics.tasks[t]?.test.clipAccuracy ?? NaN)),
    pct(metrics.meanAccuracy.testClip),
    formatCount(metrics.exact.total.params),
    formatCount(metrics.exact.total.macs),
  ]);
  return table([header, ...rows]);
}
