import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_GENERATOR_VERSION, builtinSuitePlan, renderBuiltinClip } from '../src/data/builtin/index.js';
import { runCli } from './helpers/cli.js';

/** Reads a mono 16-bit PCM WAV by walking its RIFF chunks; written here to stay independent of src/audio. */
function readPcm16(path: string): { rate: number; samples: Float32Array } {
  const b = readFileSync(path);
  assert.equal(b.toString('ascii', 0, 4), 'RIFF');
  assert.equal(b.toString('ascii', 8, 12), 'WAVE');
  let rate = 0;
  for (let off = 12; off + 8 <= b.length;) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      assert.equal(b.readUInt16LE(off + 8), 1, 'PCM');
      assert.equal(b.readUInt16LE(off + 10), 1, 'mono');
      rate = b.readUInt32LE(off + 12);
      assert.equal(b.readUInt16LE(off + 22), 16, '16-bit');
    } else if (id === 'data') {
      const samples = new Float32Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = b.readInt16LE(off + 8 + 2 * i) / 32768;
      return { rate, samples };
    }
    off += 8 + size + (size & 1);
  }
  assert.fail(`${path}: no data chunk`);
}

test('cli: suite generate builtin writes WAVs, manifest and info that match the plan', () => {
  const out = mkdtempSync(join(tmpdir(), 'mta-builtin-'));
  // A stale manifest from an earlier run must not survive.
  writeFileSync(join(out, 'manifest.jsonl'), 'stale\n');
  const r = runCli([
    'suite',
    'generate',
    'builtin',
    '--out',
    out,
    '--seed',
    '5',
    '--clips-per-task',
    '48',
    '--tasks',
    'smn,pitch',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote 96 clips/);

  const { tasks, clips } = builtinSuitePlan({ seed: 5, clipsPerTask: 48 });
  const wanted = clips.filter((c) => c.task === 'smn' || c.task === 'pitch');
  const lines = readFileSync(join(out, 'manifest.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, wanted.length);
  const rows = lines.map((l) => JSON.parse(l));
  rows.forEach((row, i) => {
    const ref = wanted[i];
    const label = tasks.find((t) => t.name === ref.task)!.classes[ref.label];
    assert.deepEqual(row, {
      path: `${ref.task}/${label}/${ref.id}.wav`,
      task: ref.task,
      label,
      split: ref.split,
      group: ref.group,
      id: ref.id,
    });
    assert.ok(existsSync(join(out, row.path)), row.path);
  });

  for (const i of [0, 1, 2, 50, 95]) {
    const { rate, samples } = readPcm16(join(out, rows[i].path));
    assert.equal(rate, 16000);
    const expected = renderBuiltinClip(wanted[i], { seed: 5 });
    assert.equal(samples.length, expected.length);
    let worst = 0;
    for (let k = 0; k < samples.length; k++) worst = Math.max(worst, Math.abs(samples[k] - expected[k]));
    assert.ok(worst <= 0.5 / 32768 + 1e-9, `${rows[i].path}: off by ${worst}`);
  }

  const info = JSON.parse(readFileSync(join(out, 'builtin.json'), 'utf8'));
  assert.equal(info.generator, BUILTIN_GENERATOR_VERSION);
  assert.equal(info.seed, 5);
  assert.equal(info.clipsPerTask, 48);
  assert.equal(info.sampleRate, 16000);
  assert.deepEqual(
    info.tasks,
    tasks.filter((t) => t.name === 'smn' || t.name === 'pitch'),
  );
});

test('cli: suite generate rejects bad arguments with exit 2 and the flag named', () => {
  const out = mkdtempSync(join(tmpdir(), 'mta-builtin-bad-'));
  const cases: [string[], RegExp][] = [
    [['other', '--out', out], /\[BAD_ARGUMENT\] suite: /],
    [['builtin', '--out', out, '--clips-per-task', '3'], /\[BAD_ARGUMENT\] --clips-per-task: /],
    [['builtin', '--out', out, '--seed', '-2'], /\[BAD_ARGUMENT\] --seed: /],
    [['builtin', '--out', out, '--tasks', 'smn,nope'], /\[BAD_ARGUMENT\] --tasks: /],
    [['builtin', '--out', join(out, 'file.txt')], /\[BAD_ARGUMENT\] .*file\.txt: /],
  ];
  writeFileSync(join(out, 'file.txt'), 'not a folder');
  for (const [args, message] of cases) {
    const r = runCli(['suite', 'generate', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const missing = runCli(['suite', 'generate', 'builtin']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--out/);
});
