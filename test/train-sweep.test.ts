import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MtaError } from '../src/common/index.js';
import {
  collectRuns,
  expandGrid,
  frontierReport,
  interpolate,
  parseGrid,
  runSweep,
  sweepPoints,
  type SweepPoint,
} from '../src/train/index.js';

test('grids expand as a Cartesian product with seeds innermost; names must be unique', () => {
  const grid = parseGrid(
    {
      suite: 'builtin',
      seeds: [1, 2],
      common: { batchSize: 16 },
      groups: [
        { name: 'mh-w{width}', baseline: 'multihead', width: [0.25, 0.5] },
        { name: 'ad-{cost}-l{lambda}', lambda: [1, 4], cost: ['params', 'macs'] },
      ],
    },
    'g.json',
  );
  const runs = expandGrid(grid, '/out', 'g.json');
  assert.equal(runs.length, 2 * 2 + 4 * 2);
  assert.deepEqual(
    runs.slice(0, 3).map((r) => [r.config, r.seed, r.dir]),
    [
      ['mh-w0.25', 1, '/out/mh-w0.25-s1'],
      ['mh-w0.25', 2, '/out/mh-w0.25-s2'],
      ['mh-w0.5', 1, '/out/mh-w0.5-s1'],
    ],
  );
  assert.equal(runs[4].options.cost, 'params');
  assert.equal(runs[4].options.lambda, 1);
  assert.equal(runs[4].options.batchSize, 16);
  assert.throws(
    () =>
      expandGrid(
        parseGrid({ suite: 'x', seeds: [1], groups: [{ name: 'same', width: [0.5, 1] }] }, 'g'),
        '/o',
        'g',
      ),
    (e: unknown) => e instanceof MtaError && /two runs are both named "same"/.test(e.message),
  );
  assert.throws(
    () =>
      expandGrid(
        parseGrid({ suite: 'x', seeds: [1], groups: [{ name: 'l{lambda}', lambda: [-1] }] }, 'g'),
        '/o',
        'g',
      ),
    (e: unknown) => e instanceof MtaError && e.subject === '--lambda',
  );
});

const point = (config: string, error: number, params: number, macs: number): SweepPoint => ({
  config,
  family: config.startsWith('mh') ? 'multihead' : 'adapters-macs-w0.5',
  seeds: 1,
  error,
  errorStd: 0,
  params,
  macs,
  runs: [],
});

test('the multi-head error at a given cost is interpolated in log(cost), never extrapolated', () => {
  const mh = [point('mh-a', 0.4, 1000, 1e6), point('mh-b', 0.2, 4000, 4e6)];
  // halfway in log between 1000 and 4000 is 2000
  assert.ok(Math.abs(interpolate(mh, 'params', 2000)! - 0.3) < 1e-12);
  assert.equal(interpolate(mh, 'params', 500), undefined);
  assert.equal(interpolate(mh, 'macs', 5e6), undefined);
  const md = frontierReport([...mh, point('ad-x', 0.15, 2000, 2e6)]);
  // at 2000 params the frontier says 30% error; the adapter has 15%: a 50% reduction, in both measures
  assert.match(md, /\| ad-x \| 15\.0 \| 2\.0k \| 30\.0 \| 50% \| 2\.00M \| 30\.0 \| 50% \|/);
});

test('a sweep runs every configuration once, skips finished runs, and reports them', async () => {
  const out = mkdtempSync(join(tmpdir(), 'mta-sweep-'));
  const cache = mkdtempSync(join(tmpdir(), 'mta-sweep-cache-'));
  const grid = parseGrid(
    {
      suite: 'builtin',
      clipsPerTask: 48,
      tasks: ['smn', 'bird'],
      seeds: [1],
      common: { width: 0.125, batchSize: 8, searchEpochs: 1, finetuneEpochs: 1, threads: 1 },
      groups: [
        { name: 'mh-w{width}', baseline: 'multihead', width: [0.125, 0.25] },
        { name: 'ad-{cost}', cost: 'params' },
      ],
    },
    'g',
  );
  const lines: string[] = [];
  await runSweep(grid, out, { cacheDir: cache, subject: 'g', log: (s) => lines.push(s) });
  await runSweep(grid, out, { cacheDir: cache, subject: 'g', log: (s) => lines.push(s) });
  assert.equal(lines.filter((l) => l.endsWith('done before')).length, 3);
  const points = sweepPoints(collectRuns(out));
  assert.deepEqual(points.map((p) => p.config).sort(), ['ad-params', 'mh-w0.125', 'mh-w0.25']);
  const mh = points.filter((p) => p.family === 'multihead').sort((a, b) => a.params - b.params);
  assert.ok(mh[0].params < mh[1].params);
  assert.equal(points.find((p) => p.config === 'ad-params')!.family, 'adapters-params-w0.125');
});
