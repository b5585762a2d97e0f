/**
 * Accuracy-versus-cost frontiers of a sweep and the comparison the paper makes: adapters against the
 * multi-head baseline at the same exact cost. The multi-head error at an adapter model's cost is
 * interpolated linearly in log(cost) between the two nearest multi-head widths; outside their range
 * there is no comparison (never an extrapolation).
 */
import type { RunMetrics } from './report.js';

export interface SweepPoint {
  config: string;
  family: string;
  seeds: number;
  error: number;
  errorStd: number;
  params: number;
  macs: number;
  runs: RunMetrics[];
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const std = (xs: number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

export function familyOf(m: RunMetrics): string {
  if (m.baseline === 'adapters') return `adapters-${m.cost}-w${m.width}`;
  return m.baseline;
}

export function sweepPoints(runs: Map<string, RunMetrics[]>): SweepPoint[] {
  return [...runs].map(([config, ms]) => {
    const errors = ms.map((m) => 1 - m.meanAccuracy.testClip);
    return {
      config,
      family: familyOf(ms[0]),
      seeds: ms.length,
      error: mean(errors),
      errorStd: std(errors),
      params: mean(ms.map((m) => m.exact.total.params)),
      macs: mean(ms.map((m) => m.exact.total.macs)),
      runs: ms,
    };
  });
}

/** Error of the multi-head frontier at `cost` (log-linear interpolation), or undefined outside it. */
export function interpolate(
  frontier: SweepPoint[],
  measure: 'params' | 'macs',
  cost: number,
): number | undefined {
  const pts = [...frontier].sort((a, b) => a[measure] - b[measure]);
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i];
    const b = pts[i + 1];
    if (cost >= a[measure] && cost <= b[measure]) {
      const span = Math.log(b[measure]) - Math.log(a[measure]);
      const f = span > 0 ? (Math.log(cost) - Math.log(a[measure])) / span : 0;
      return a.error + f * (b.error - a.error);
    }
  }
  return undefined;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}`;
const count = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The markdown body of docs/RESULTS.md for a finished sweep. */
export function frontierReport(points: SweepPoint[]): string {
  const sorted = [...points].sort((a, b) => a.family.localeCompare(b.family) || a.params - b.params);
  const out: string[] = [];
  out.push('### All points (mean over seeds; error = 1 − mean test clip accuracy over tasks)\n');
  out.push(
    table(
      ['config', 'seeds', 'error %', '± std', 'params', 'MACs'],
      sorted.map((p) => [
        p.config,
        String(p.seeds),
        pct(p.error),
        pct(p.errorStd),
        count(p.params),
        count(p.macs),
      ]),
    ),
  );
  const mh = points.filter((p) => p.family === 'multihead');
  const adapters = sorted.filter((p) => p.family.startsWith('adapters'));
  if (mh.length >= 2 && adapters.length > 0) {
    out.push('\n### Adapters against the multi-head frontier at matched exact cost\n');
    out.push(
      'Relative error reduction = (multi-head error − adapter error) / multi-head error, with the multi-head error ' +
        'interpolated at the adapter model\'s cost; "—" where the cost lies outside the multi-head widths.\n',
    );
    const rows = adapters.map((p) => {
      const at = (m: 'params' | 'macs'): string[] => {
        const e = interpolate(mh, m, p[m]);
        return e === undefined ? ['—', '—'] : [pct(e), `${(100 * ((e - p.error) / e)).toFixed(0)}%`];
      };
      return [p.config, pct(p.error), count(p.params), ...at('params'), count(p.macs), ...at('macs')];
    });
    out.push(
      table(
        [
          'adapter config',
          'error %',
          'params',
          'MH error % at params',
          'reduction',
          'MACs',
          'MH error % at MACs',
          'reduction',
        ],
        rows,
      ),
    );
  }
  return out.join('\n');
}

/** Allocation (alive adapter channels of each block's frequency conv / maximum) per task, for one run. */
export function allocationTable(m: RunMetrics): string {
  const tasks = Object.entries(m.tasks);
  const blocks = tasks[0][1].allocation.length;
  return table(
    ['task', ...Array.from({ length: blocks }, (_, l) => `block ${l + 1}`), 'params', 'MACs'],
    tasks.map(([name, t]) => [
      name,
      ...t.allocation.map((a) => (a.max ? `${a.freq}/${a.max}` : '—')),
      count(t.params),
      count(t.macs),
    ]),
  );
}
