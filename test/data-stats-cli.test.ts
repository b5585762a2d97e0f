import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { fsddDigitTask, fsddSubset, tempDir, writeSuite } from './data-fixtures.js';

test('mta suite stats: per-class split sizes, durations, zero leakage, --json', () => {
  const dir = tempDir('stats');
  const fsdd = fsddSubset(dir);
  const suite = writeSuite(dir, { name: 's', tasks: [fsddDigitTask(fsdd)] });
  const r = runCli(['suite', 'stats', suite, '--json', '--cache-dir', join(dir, 'cache')]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const t = s.tasks[0];
  assert.deepEqual(t.classes, ['0', '1', '2']);
  // reps 0 → test, 5 → val, 10 and 11 → train; 2 speakers per digit.
  assert.deepEqual(t.perClass, { train: [4, 4, 4], val: [2, 2, 2], test: [2, 2, 2] });
  assert.deepEqual(t.leaks, []);
  assert.deepEqual(s.duplicates, []);
  assert.equal(s.unreadable.count, 0);
  // FSDD clips are 0.14–2.3 s: 24 of them last between 3.4 and 55 s.
  assert.ok(t.durationSec > 3.4 && t.durationSec < 55, String(t.durationSec));
  const text = runCli(['suite', 'stats', suite, '--no-audio']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /task digit: 3 classes, 24 clips/);
  assert.match(text.stdout, /group leakage: none/);
});

test('mta suite stats reports a leaking suite and content used in two splits, and exits 2', () => {
  const dir = tempDir('leak');
  const fsdd = fsddSubset(dir);
  // Group = speaker, but the split is by repetition: every speaker sits in every split.
  const leaky = fsddDigitTask(fsdd, {
    sources: [
      { type: 'glob', root: fsdd, pattern: '*.wav', labelRegex: '^(?<label>[0-9])_(?<group>[a-z]+)_' },
    ],
  });
  const r = runCli([
    'suite',
    'stats',
    writeSuite(dir, { name: 's', tasks: [leaky] }),
    '--no-audio',
    '--json',
  ]);
  assert.equal(r.code, 2, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(
    s.tasks[0].leaks.map((l: { group: string }) => l.group),
    ['george', 'jackson'],
  );
  assert.match(r.stderr, /\[BAD_DATA\].*2 group\(s\) span two splits/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);

  // The same bytes under a test name and a train name.
  copyFileSync(join(fsdd, '0_george_0.wav'), join(fsdd, '0_george_20.wav'));
  const dup = runCli([
    'suite',
    'stats',
    writeSuite(dir, { name: 's', tasks: [fsddDigitTask(fsdd)] }),
    '--no-audio',
  ]);
  assert.equal(dup.code, 2);
  assert.match(dup.stdout, /duplicate content across splits: 1 file/);
  assert.match(dup.stdout, /train: digit .*0_george_20\.wav/);
});

test('mta suite stats: bad suite files and flags are user errors', () => {
  const dir = tempDir('statsbad');
  const missing = runCli(['suite', 'stats', join(dir, 'none.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\[FILE_NOT_FOUND\]/);
  const bad = writeSuite(dir, { name: 's', tasks: [{ name: 't', sources: [{ type: 'glob', root: 'x' }] }] });
  const r = runCli(['suite', 'stats', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\[BAD_CONFIG\] .*suite\.json: tasks\[0\]\.sources\[0\]\.pattern/);
  const flag = runCli(['suite', 'stats', 'builtin', '--workers', 'many']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /\[BAD_ARGUMENT\] --workers/);
});

test('mta suite stats builtin: the generated suite, split by its own plan, has zero leakage', () => {
  const r = runCli(['suite', 'stats', 'builtin', '--clips-per-task', '60', '--no-audio', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.tasks.length, 8);
  for (const t of s.tasks) {
    assert.equal(t.clips, 60, t.name);
    assert.deepEqual(t.leaks, [], t.name);
    for (const split of ['train', 'val', 'test']) assert.ok(t.perClass[split].some((n: number) => n > 0));
  }
});
