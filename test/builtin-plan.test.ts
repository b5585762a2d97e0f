import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MtaError } from '../src/common/index.js';
import { builtinSuitePlan, type BuiltinClipRef } from '../src/data/builtin/index.js';

const plan = builtinSuitePlan({ seed: 0, clipsPerTask: 500 });
const byTask = (name: string): BuiltinClipRef[] => plan.clips.filter((c) => c.task === name);

test('plan: eight tasks with the minimum class counts, ~500 clips each, unique ids', () => {
  const minimum: Record<string, number> = {
    smn: 3,
    bird: 2,
    scene: 5,
    keyword: 10,
    language: 5,
    speaker: 8,
    instrument: 8,
    pitch: 24,
  };
  assert.deepEqual(
    plan.tasks.map((t) => t.name),
    Object.keys(minimum),
  );
  for (const t of plan.tasks) {
    assert.ok(t.classes.length >= minimum[t.name], `${t.name} has ${t.classes.length} classes`);
    assert.equal(new Set(t.classes).size, t.classes.length, `${t.name} has duplicate class names`);
    const clips = byTask(t.name);
    assert.equal(clips.length, 500);
    assert.deepEqual(
      clips.map((c) => c.index),
      Array.from({ length: 500 }, (_, i) => i),
    );
    assert.ok(clips.every((c) => Number.isInteger(c.label) && c.label >= 0 && c.label < t.classes.length));
  }
  assert.equal(new Set(plan.clips.map((c) => c.id)).size, plan.clips.length);
});

test('plan: classes are balanced within one clip', () => {
  for (const t of plan.tasks) {
    const counts = t.classes.map((_, c) => byTask(t.name).filter((x) => x.label === c).length);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${t.name}: ${counts}`);
  }
});

test('plan: splits are 70/15/15 overall and within every class', () => {
  for (const t of plan.tasks) {
    const clips = byTask(t.name);
    for (const [split, frac] of [
      ['train', 0.7],
      ['val', 0.15],
      ['test', 0.15],
    ] as const) {
      const n = clips.filter((c) => c.split === split).length;
      assert.ok(
        Math.abs(n - frac * clips.length) <= 0.02 * clips.length,
        `${t.name} ${split}: ${n} of ${clips.length}`,
      );
      t.classes.forEach((cls, c) => {
        const inClass = clips.filter((x) => x.label === c);
        const k = inClass.filter((x) => x.split === split).length;
        // Stratified: each class's share of the split is its own fraction, to within two clips.
        assert.ok(
          Math.abs(k - frac * inClass.length) <= 2,
          `${t.name}/${cls} ${split}: ${k} of ${inClass.length}`,
        );
      });
    }
  }
});

test('plan: no group spans two splits; per-class sources never span two classes', () => {
  const perClass = new Set(['smn', 'scene', 'language', 'speaker', 'instrument']);
  for (const t of plan.tasks) {
    const splitOf = new Map<string, string>();
    const labelsOf = new Map<string, Set<number>>();
    for (const c of byTask(t.name)) {
      const s = splitOf.get(c.group);
      assert.ok(s === undefined || s === c.split, `${t.name}: group ${c.group} is in ${s} and ${c.split}`);
      splitOf.set(c.group, c.split);
      labelsOf.set(c.group, (labelsOf.get(c.group) ?? new Set()).add(c.label));
    }
    const splits = new Set(splitOf.values());
    assert.equal(splits.size, 3, `${t.name}: groups in every split`);
    if (perClass.has(t.name)) {
      for (const [g, labels] of labelsOf)
        assert.equal(labels.size, 1, `${t.name}: ${g} has labels ${[...labels]}`);
    }
  }
  // Every speaker must be heard in training; it is the sessions that are held out.
  const speaker = byTask('speaker');
  for (const split of ['train', 'val', 'test']) {
    assert.equal(new Set(speaker.filter((c) => c.split === split).map((c) => c.label)).size, 10);
  }
  // Keyword speakers say every word: the held-out test speakers cover many classes.
  const testSpeakers = new Set(
    byTask('keyword')
      .filter((c) => c.split === 'test')
      .map((c) => c.group),
  );
  assert.ok(testSpeakers.size >= 5, `${testSpeakers.size} test speakers`);
});

test('plan: deterministic in the seed; a different seed moves clips between splits', () => {
  assert.deepEqual(builtinSuitePlan({ seed: 0, clipsPerTask: 500 }), plan);
  const other = builtinSuitePlan({ seed: 1, clipsPerTask: 500 });
  assert.deepEqual(other.tasks, plan.tasks);
  const moved = other.clips.filter((c, i) => c.split !== plan.clips[i].split).length;
  assert.ok(moved > plan.clips.length / 10, `${moved} clips changed split`);
  assert.deepEqual(
    other.clips.map((c) => c.label),
    plan.clips.map((c) => c.label),
  );
});

test('plan: a clip does not depend on the suite size (a larger suite extends a smaller one)', () => {
  const small = builtinSuitePlan({ seed: 0, clipsPerTask: 60 });
  for (const ref of small.clips) assert.deepEqual(ref, byTask(ref.task)[ref.index]);
});

test('plan: the smallest allowed suite still fills every split of every task', () => {
  const small = builtinSuitePlan({ clipsPerTask: 48 });
  for (const t of small.tasks) {
    const clips = small.clips.filter((c) => c.task === t.name);
    for (const split of ['train', 'val', 'test']) {
      assert.ok(
        clips.some((c) => c.split === split),
        `${t.name} has no ${split} clip`,
      );
    }
    t.classes.forEach((_, c) =>
      assert.ok(
        clips.some((x) => x.label === c && x.split === 'train'),
        `${t.name} class ${c} not in train`,
      ),
    );
  }
});

test('plan: bad options are MtaErrors naming the option', () => {
  const cases: [Parameters<typeof builtinSuitePlan>[0], string][] = [
    [{ clipsPerTask: 47 }, 'clipsPerTask'],
    [{ clipsPerTask: 1e9 }, 'clipsPerTask'],
    [{ clipsPerTask: 100.5 }, 'clipsPerTask'],
    [{ seed: -1 }, 'seed'],
    [{ seed: 1.5 }, 'seed'],
    [{ seed: Number.NaN }, 'seed'],
  ];
  for (const [opts, subject] of cases) {
    assert.throws(
      () => builtinSuitePlan(opts),
      (e: unknown) => e instanceof MtaError && e.code === 'BAD_ARGUMENT' && e.subject === subject,
      JSON.stringify(opts),
    );
  }
});
