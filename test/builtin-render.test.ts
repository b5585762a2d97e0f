import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError } from '../src/common/index.js';
import { builtinSuitePlan, renderBuiltinClip, type BuiltinClipRef } from '../src/data/builtin/index.js';

const { tasks, clips } = builtinSuitePlan({ seed: 7, clipsPerTask: 48 });
const pick = (task: string, index: number): BuiltinClipRef =>
  clips.find((c) => c.task === task && c.index === index)!;

// First in this file on purpose: clip 5 of each task is rendered before anything else has run.
test('render: a clip is the same rendered first, after others, and in reverse order', () => {
  for (const t of tasks) {
    const target = pick(t.name, 5);
    const first = renderBuiltinClip(target, { seed: 7 });
    for (let i = 3; i >= 0; i--) renderBuiltinClip(pick(t.name, i), { seed: 7 });
    for (const other of tasks) renderBuiltinClip(pick(other.name, 20), { seed: 7 });
    assert.deepEqual(renderBuiltinClip(target, { seed: 7 }), first, t.name);
  }
});

test('render: same seed gives identical samples; another seed gives different ones', () => {
  for (const t of tasks) {
    const ref = pick(t.name, 3);
    const a = renderBuiltinClip(ref, { seed: 7 });
    const b = renderBuiltinClip({ ...ref }, { seed: 7 });
    const c = renderBuiltinClip(ref, { seed: 8 });
    assert.deepEqual(a, b, t.name);
    const n = Math.min(a.length, c.length);
    let diff = 0;
    for (let i = 0; i < n; i++) diff += Math.abs(a[i] - c[i]);
    assert.ok(a.length !== c.length || diff / n > 1e-4, `${t.name}: seed 8 rendered the same clip`);
  }
});

test('render: every clip is 1–2 s at 16 kHz, finite, within [-1, 1], and not silent', () => {
  const subset = clips.filter((c) => c.index % 4 === 0);
  for (const ref of subset) {
    const x = renderBuiltinClip(ref, { seed: 7 });
    assert.ok(x.length >= 16000 && x.length <= 32000, `${ref.id}: ${x.length} samples`);
    let energy = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (!(Number.isFinite(v) && v >= -1 && v <= 1)) assert.fail(`${ref.id}[${i}] = ${v}`);
      energy += v * v;
    }
    const rmsDb = 10 * Math.log10(energy / x.length);
    assert.ok(rmsDb > -45 && rmsDb < -10, `${ref.id}: ${rmsDb.toFixed(1)} dBFS`);
  }
});

test('render: different clips of one task differ (no accidental reuse of a stream)', () => {
  for (const t of tasks) {
    const a = renderBuiltinClip(pick(t.name, 0), { seed: 7 });
    const b = renderBuiltinClip(pick(t.name, t.classes.length), { seed: 7 });
    assert.equal(pick(t.name, 0).label, pick(t.name, t.classes.length).label);
    assert.notDeepEqual(a.subarray(0, 16000), b.subarray(0, 16000), t.name);
  }
});

test('render: a bad reference is an MtaError naming the field', () => {
  const ref = pick('pitch', 0);
  const cases: [BuiltinClipRef, string][] = [
    [{ ...ref, task: 'nope' }, 'task'],
    [{ ...ref, label: 24 }, 'label'],
    [{ ...ref, label: -1 }, 'label'],
    [{ ...ref, index: -3 }, 'index'],
    [{ ...ref, group: '' }, 'group'],
  ];
  for (const [bad, subject] of cases) {
    assert.throws(
      () => renderBuiltinClip(bad),
      (e: unknown) => e instanceof MtaError && e.code === 'BAD_ARGUMENT' && e.subject === subject,
      subject,
    );
  }
  assert.throws(
    () => renderBuiltinClip(ref, { seed: -1 }),
    (e: unknown) => e instanceof MtaError && e.subject === 'seed',
  );
});
