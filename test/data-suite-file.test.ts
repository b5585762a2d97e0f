import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MtaError } from '../src/common/index.js';
import {
  globFiles,
  globToRegExp,
  groupHash,
  loadSuiteFile,
  makeSplitter,
  parseSuite,
} from '../src/data/index.js';
import { tempDir, writeSuite } from './data-fixtures.js';

const glob = (extra: Record<string, unknown> = {}) => ({
  type: 'glob',
  root: 'r',
  pattern: '*.wav',
  ...extra,
});
const suiteWith = (task: Record<string, unknown>) => ({
  name: 's',
  tasks: [{ name: 't', sources: [glob()], ...task }],
});

function rejects(json: unknown, code: string, subject: string, message?: RegExp): void {
  assert.throws(
    () => parseSuite(json, 'f.json'),
    (e: unknown) => {
      assert.ok(e instanceof MtaError, String(e));
      assert.equal(e.code, code);
      assert.equal(e.subject, subject);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

test('suite schema errors name the file and the field path', () => {
  rejects(
    suiteWith({ sources: [glob({ labelRegex: '(' })] }),
    'BAD_CONFIG',
    'f.json: tasks[0].sources[0].labelRegex',
    /regular expression/,
  );
  rejects(
    suiteWith({ sources: [glob(), { type: 'nope' }] }),
    'BAD_CONFIG',
    'f.json: tasks[0].sources[1].type',
  );
  rejects(
    suiteWith({ sources: [glob({ colour: 'red' })] }),
    'BAD_CONFIG',
    'f.json: tasks[0].sources[0].colour',
    /unknown field/,
  );
  rejects(
    suiteWith({ split: { type: 'hash', train: 0.5, val: 0.1, test: 0.1 } }),
    'BAD_CONFIG',
    'f.json: tasks[0].split',
    /sum to 1/,
  );
  rejects(
    suiteWith({
      sources: [{ type: 'mixture', speech: glob({ pattern: 3 }), noise: glob(), snrDb: [-5, 10] }],
    }),
    'BAD_CONFIG',
    'f.json: tasks[0].sources[0].speech.pattern',
  );
  rejects(
    suiteWith({ sources: [{ type: 'mixture', speech: glob(), noise: glob(), snrDb: [10, -5] }] }),
    'BAD_CONFIG',
    'f.json: tasks[0].sources[0].snrDb',
  );
  rejects(suiteWith({ name: 'bad name!' }), 'BAD_CONFIG', 'f.json: tasks[0].name');
  rejects(suiteWith({ classes: ['a'] }), 'BAD_CONFIG', 'f.json: tasks[0].classes');
  rejects(suiteWith({ classes: ['a', 'a'] }), 'BAD_CONFIG', 'f.json: tasks[0].classes', /duplicates/);
  rejects({ name: 's', tasks: [] }, 'BAD_CONFIG', 'f.json: tasks');
  rejects(
    {
      name: 's',
      tasks: [
        { name: 't', sources: [glob()] },
        { name: 't', sources: [glob()] },
      ],
    },
    'BAD_CONFIG',
    'f.json: tasks[1].name',
    /duplicate task name/,
  );
  rejects(
    suiteWith({ augment: { specAugment: { timeMasks: 99 } } }),
    'BAD_CONFIG',
    'f.json: tasks[0].augment.specAugment.timeMasks',
  );
});

test('loadSuiteFile: missing file and broken JSON are user errors naming the file', () => {
  const dir = tempDir('suitefile');
  assert.throws(
    () => loadSuiteFile(join(dir, 'nope.json')),
    (e: MtaError) => e.code === 'FILE_NOT_FOUND',
  );
  const p = join(dir, 'broken.json');
  writeFileSync(p, '{"name": ');
  assert.throws(
    () => loadSuiteFile(p),
    (e: MtaError) => e.code === 'BAD_CONFIG' && e.subject === p,
  );
  const ok = writeSuite(dir, suiteWith({}));
  const s = loadSuiteFile(ok);
  assert.equal(s.baseDir, dir);
  assert.equal(s.def.tasks[0].sources.length, 1);
});

test('glob: *, ?, **, classes and alternatives match like a shell glob', () => {
  const cases: [string, string, boolean][] = [
    ['*.wav', 'a.wav', true],
    ['*.wav', 'd/a.wav', false],
    ['**/*.wav', 'a.wav', true],
    ['**/*.wav', 'd/e/a.wav', true],
    ['d/**/x?.ogg', 'd/x1.ogg', true],
    ['d/**/x?.ogg', 'd/e/f/x1.ogg', true],
    ['d/**/x?.ogg', 'd/e/x12.ogg', false],
    ['[0-4]_*.wav', '3_a.wav', true],
    ['[0-4]_*.wav', '7_a.wav', false],
    ['[!0-4]_*.wav', '7_a.wav', true],
    ['*_{0,1,12}.wav', 'a_12.wav', true],
    ['*_{0,1,12}.wav', 'a_2.wav', false],
    ['a+b (1).wav', 'a+b (1).wav', true],
    ['a.wav', 'aXwav', false],
  ];
  for (const [g, p, want] of cases) assert.equal(globToRegExp(g).test(p), want, `${g} vs ${p}`);

  const dir = tempDir('glob');
  for (const f of ['a/x.wav', 'a/b/y.wav', 'a/b/z.ogg', 'c/x.wav', '.hidden/x.wav', 'top.wav']) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  assert.deepEqual(globFiles(dir, '**/*.wav'), ['a/b/y.wav', 'a/x.wav', 'c/x.wav', 'top.wav']);
  assert.deepEqual(globFiles(dir, 'a/**/*.{wav,ogg}'), ['a/b/y.wav', 'a/b/z.ogg', 'a/x.wav']);
  assert.deepEqual(globFiles(dir, '*/x.wav'), ['a/x.wav', 'c/x.wav']);
});

test('hash split: a group always lands in one split, fractions hold, salt reshuffles', () => {
  const rule = { type: 'hash', train: 0.7, val: 0.15, test: 0.15, salt: '' } as const;
  const split = makeSplitter(rule, '.', 'w');
  const counts = { train: 0, val: 0, test: 0 };
  for (let g = 0; g < 4000; g++) {
    const s = split({ relPath: `x${g}/a.wav`, group: `g${g}` });
    assert.equal(split({ relPath: `y${g}/other.wav`, group: `g${g}` }), s); // the path does not matter
    counts[s]++;
  }
  // Binomial sd for 4000 draws at p = 0.15 is ~23; allow 5 sd.
  assert.ok(Math.abs(counts.train - 2800) < 150, JSON.stringify(counts));
  assert.ok(Math.abs(counts.val - 600) < 115, JSON.stringify(counts));
  assert.ok(Math.abs(counts.test - 600) < 115, JSON.stringify(counts));
  const h = groupHash('speaker-1', '');
  assert.ok(h >= 0 && h < 1);
  assert.notEqual(groupHash('speaker-1', 'other salt'), h);
});

test('regex and list splits; a clip nothing assigns is an error naming the rule', () => {
  const re = makeSplitter(
    { type: 'regex', test: '_[0-4]\\.wav$', val: '_[5-9]\\.wav$', default: 'train' },
    '.',
    'w',
  );
  assert.equal(re({ relPath: '1_a_3.wav', group: 'x' }), 'test');
  assert.equal(re({ relPath: '1_a_7.wav', group: 'x' }), 'val');
  assert.equal(re({ relPath: '1_a_17.wav', group: 'x' }), 'train');
  const strict = makeSplitter({ type: 'regex', test: 'a' }, '.', 'f.json: tasks[0].split');
  assert.throws(
    () => strict({ relPath: 'b', group: 'b' }),
    (e: MtaError) => e.subject === 'f.json: tasks[0].split',
  );

  const dir = tempDir('lists');
  writeFileSync(join(dir, 'test.txt'), 'dog/a.wav\ncat/b.wav\n');
  writeFileSync(join(dir, 'val.txt'), 'dog/c.wav\n');
  const lists = makeSplitter(
    { type: 'explicit', lists: { test: 'test.txt', val: 'val.txt' }, default: 'train' },
    dir,
    'w',
  );
  assert.equal(lists({ relPath: 'cat/b.wav', group: '' }), 'test');
  assert.equal(lists({ relPath: 'dog/c.wav', group: '' }), 'val');
  assert.equal(lists({ relPath: 'dog/z.wav', group: '' }), 'train');
  assert.equal(lists({ relPath: 'dog/a.wav', group: '', split: 'val' }), 'val'); // the source's own split wins
  assert.throws(
    () => makeSplitter({ type: 'explicit', lists: { test: 'missing.txt' } }, dir, 'w'),
    (e: MtaError) => e.code === 'FILE_NOT_FOUND' && e.subject === 'w.lists.test',
  );
});
