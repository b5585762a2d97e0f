import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModelFile } from '../src/io/index.js';
import { exactCost } from '../src/model/index.js';
import type { RunMetrics } from '../src/train/index.js';
import { runCli } from './helpers/cli.js';

const cache = mkdtempSync(join(tmpdir(), 'mta-train-cli-cache-'));
const small = [
  '--suite',
  'builtin',
  '--clips-per-task',
  '48',
  '--tasks',
  'smn,bird',
  '--width',
  '0.125',
  '--batch-size',
  '8',
];

test('mta train writes model.safetensors and metrics.json with accuracy, exact cost and allocation', () => {
  const out = mkdtempSync(join(tmpdir(), 'mta-train-cli-'));
  const r = runCli(
    [
      'train',
      ...small,
      '--out',
      out,
      '--lambda',
      '2',
      '--cost',
      'params',
      '--search-epochs',
      '2',
      '--finetune-epochs',
      '1',
      '--threads',
      '1',
      '--cache-dir',
      cache,
      '--no-progress',
    ],
    { timeoutMs: 300_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /total \/ mean/);
  const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as RunMetrics;
  assert.deepEqual(Object.keys(m.tasks), ['smn', 'bird']);
  for (const t of Object.values(m.tasks)) {
    assert.ok(t.test.clipAccuracy >= 0 && t.test.clipAccuracy <= 1);
    assert.ok(t.test.patches >= t.test.clips && t.test.clips > 0);
    assert.equal(t.allocation.length, 6);
  }
  const model = decodeModelFile(readFileSync(join(out, 'model.safetensors')), 'model');
  const cost = exactCost(model.model);
  // metrics.json reports the exact cost of the saved (pruned) architecture, not the surrogate.
  assert.deepEqual(m.exact.total, cost.total);
  assert.equal(m.exact.shared.params, cost.shared.params);
  assert.equal(m.tasks.smn.params, cost.tasks.smn.params);
  assert.deepEqual(
    m.tasks.bird.allocation.map((a) => a.freq),
    cost.tasks.bird.alive.map((a) => a.freq),
  );
  assert.ok(existsSync(join(out, 'checkpoint.safetensors')));
});

test('mta train: bad flags, an unknown task and a missing suite exit 2 naming the cause', () => {
  const out = mkdtempSync(join(tmpdir(), 'mta-train-cli-bad-'));
  const cases: [string[], RegExp][] = [
    [['--lambda', '-1'], /--lambda/],
    [['--lambda', 'abc'], /--lambda: must be a number/],
    [['--cost', 'flops'], /--cost/],
    [['--baseline', 'wide'], /--baseline/],
    [['--tasks', 'smn,nope'], /--tasks: unknown task "nope"/],
  ];
  for (const [flags, pattern] of cases) {
    const r = runCli(['train', ...small, '--out', out, '--cache-dir', cache, '--no-progress', ...flags]);
    assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const missing = runCli(['train', '--suite', join(out, 'no-such-suite.json'), '--out', out]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-suite\.json/);
});
