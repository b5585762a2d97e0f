import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MtaError, Rng, writeFileAtomic } from '../src/common/index.js';
import { runCli } from './helpers/cli.js';

test('Rng: same seed gives the same stream, different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 100 }, () => a.nextU32());
  const sb = Array.from({ length: 100 }, () => b.nextU32());
  const sc = Array.from({ length: 100 }, () => c.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.ok(sa.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

test('Rng: uniform mean and normal moments are right', () => {
  const r = new Rng(7);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  for (let i = 0; i < n; i++) {
    su += r.next();
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005);
  assert.ok(Math.abs(sn / n) < 0.01);
  assert.ok(Math.abs(sn2 / n - 1) < 0.02);
});

test('writeFileAtomic replaces content and leaves no temp file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mta-atomic-'));
  const p = join(dir, 'out.json');
  writeFileAtomic(p, 'first');
  writeFileAtomic(p, 'second');
  assert.equal(readFileSync(p, 'utf8'), 'second');
  assert.deepEqual(readdirSync(dir), ['out.json']);
});

test('MtaError.describe names subject, expectation and hint', () => {
  const e = new MtaError('BAD_HEADER', 'bad fmt chunk', {
    subject: 'a.wav',
    expected: '16 bytes',
    actual: '4',
    hint: 'is it a WAV?',
  });
  assert.equal(e.describe(), 'a.wav: bad fmt chunk (expected 16 bytes, got 4). is it a WAV?');
});

test('CLI: unknown command and unknown flag exit 2 without a stack trace', () => {
  for (const args of [['bogus'], ['start', '--no-such-flag']]) {
    const r = runCli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const help = runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: mta/);
});
