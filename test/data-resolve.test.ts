import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MtaError } from '../src/common/index.js';
import { encodeWav } from '../src/audio/index.js';
import { loadSuiteFile, resolveSuite, suiteStats, type FileAudio } from '../src/data/index.js';
import { escSubset, FSDD_SPLIT, fsddDigitTask, fsddSubset, tempDir, writeSuite } from './data-fixtures.js';

const SUITES = fileURLToPath(new URL('../suites/', import.meta.url));

async function resolveFails(suite: unknown, dir: string, code: string, subject: RegExp): Promise<void> {
  const p = writeSuite(dir, suite);
  await assert.rejects(
    () => resolveSuite(loadSuiteFile(p)),
    (e: unknown) => {
      assert.ok(e instanceof MtaError, String(e));
      assert.equal(e.code, code, e.describe());
      assert.match(e.subject ?? '', subject, e.describe());
      return true;
    },
  );
}

test('resolve fails fast: missing folder, label regex matching nothing, < 2 classes, empty split', async () => {
  const dir = tempDir('failfast');
  const fsdd = fsddSubset(dir);
  await resolveFails(
    { name: 's', tasks: [fsddDigitTask(join(dir, 'no-such-folder'))] },
    dir,
    'FILE_NOT_FOUND',
    /suite\.json: tasks\[0\]\.sources\[0\]\.root$/,
  );
  const digit = fsddDigitTask(fsdd);
  const nothing = { ...digit, sources: [{ ...digit.sources[0], labelRegex: '^speaker_(\\d)' }] };
  await resolveFails(
    { name: 's', tasks: [nothing] },
    dir,
    'BAD_CONFIG',
    /tasks\[0\]\.sources\[0\]\.labelRegex$/,
  );
  const oneClass = { ...digit, sources: [{ ...digit.sources[0], pattern: '0_*.wav' }] };
  await resolveFails(
    { name: 's', tasks: [digit, { ...oneClass, name: 'one' }] },
    dir,
    'BAD_DATA',
    /tasks\[1\]$/,
  );
  const noVal = { ...digit, split: { type: 'regex', test: '_[0-4]\\.wav$', default: 'train' } };
  await resolveFails({ name: 's', tasks: [noVal] }, dir, 'BAD_DATA', /tasks\[0\]\.split$/);
  const partial = { ...digit, sources: [{ ...digit.sources[0], labelRegex: '^(?<label>0)_' }] };
  await resolveFails({ name: 's', tasks: [partial] }, dir, 'BAD_CONFIG', /labelRegex$/);
  const unlisted = { ...digit, classes: ['0', '1'] };
  await resolveFails({ name: 's', tasks: [unlisted] }, dir, 'BAD_DATA', /tasks\[0\]\.classes$/);
});

test('labels, groups, class lists, label maps and dropped labels', async () => {
  const dir = tempDir('labels');
  const fsdd = fsddSubset(dir);
  const suite = {
    name: 's',
    tasks: [
      {
        name: 'speaker',
        sources: [{ type: 'glob', root: fsdd, pattern: '*.wav', labelRegex: '^[0-9]_(?<label>[a-z]+)_' }],
        split: FSDD_SPLIT,
      },
      {
        name: 'zero-one',
        classes: ['zero', 'one'],
        labelMap: { '0': 'zero', '1': 'one' },
        otherLabels: 'drop',
        classWeights: 'balanced',
        sources: [
          {
            type: 'glob',
            root: fsdd,
            pattern: '*.wav',
            labelRegex: '^(?<label>[0-9])_(?<group>[a-z]+_[0-9]+)',
          },
        ],
        split: { type: 'hash', train: 0.5, val: 0.25, test: 0.25, salt: 'd' },
      },
    ],
  };
  const r = await resolveSuite(loadSuiteFile(writeSuite(dir, suite)));
  const [speaker, zo] = r.tasks;
  assert.deepEqual(speaker.classes, ['george', 'jackson']);
  assert.equal(speaker.clips.length, 24);
  for (const c of speaker.clips) {
    const file = (c.audio as FileAudio).path.split('/').pop()!;
    assert.equal(speaker.classes[c.label], file.split('_')[1]);
    const rep = Number(file.split('_')[2].slice(0, -4));
    assert.equal(c.split, rep < 5 ? 'test' : rep < 10 ? 'val' : 'train');
    assert.equal(c.group, file); // default group: the path
  }
  assert.deepEqual(zo.classes, ['zero', 'one']);
  assert.equal(zo.clips.length, 16);
  assert.equal(zo.droppedClips, 8);
  // The named capture `group` (speaker and repetition) keeps a group's clips (digits 0 and 1) in one split.
  const groups = new Set(zo.clips.map((c) => c.group));
  assert.equal(groups.size, 8);
  for (const g of groups) {
    const members = zo.clips.filter((c) => c.group === g);
    assert.equal(members.length, 2);
    assert.equal(new Set(members.map((c) => c.split)).size, 1);
  }
  assert.deepEqual(zo.classWeights, [1, 1]);
});

test('windows cut long files into clips that share the file as their group', async () => {
  const dir = tempDir('windows');
  mkdirSync(join(dir, 'music'));
  for (const [name, secs] of [
    ['a.wav', 5.5],
    ['b.wav', 2],
    ['c.wav', 3],
  ] as const) {
    writeFileSync(
      join(dir, 'music', name),
      encodeWav(new Float32Array(Math.round(secs * 8000)).fill(0.1), 8000),
    );
  }
  mkdirSync(join(dir, 'speech'));
  for (const name of ['x.wav', 'y.wav', 'z.wav']) {
    writeFileSync(join(dir, 'speech', name), encodeWav(new Float32Array(8000).fill(0.1), 8000));
  }
  const split = { type: 'regex', test: '[cz]\\.wav$', val: '[by]\\.wav$', default: 'train' };
  const suite = {
    name: 's',
    tasks: [
      {
        name: 'smn',
        sources: [
          {
            type: 'glob',
            root: 'music',
            pattern: '*.wav',
            label: 'music',
            transform: { window: { seconds: 2 } },
            split,
          },
          { type: 'glob', root: 'speech', pattern: '*.wav', label: 'speech', split },
        ],
      },
    ],
  };
  const r = await resolveSuite(loadSuiteFile(writeSuite(dir, suite)));
  const music = r.tasks[0].clips.filter((c) => r.tasks[0].classes[c.label] === 'music');
  const wins = music.map((c) => [
    ((c.audio as FileAudio).path.split('/').pop() ?? '') + '',
    (c.audio as FileAudio).window,
  ]);
  assert.deepEqual(wins, [
    ['a.wav', { startSec: 0, durationSec: 2 }],
    ['a.wav', { startSec: 2, durationSec: 2 }],
    ['b.wav', { startSec: 0, durationSec: 2 }],
    ['c.wav', { startSec: 0, durationSec: 2 }],
  ]);
  assert.equal(new Set(music.filter((c) => c.group === 'a.wav').map((c) => c.split)).size, 1);
  const stats = await suiteStats(r);
  assert.equal(stats.tasks[0].leaks.length, 0);
});

test('mixtures: label and split from the speech, noise only from the same split of the noise source', async () => {
  const dir = tempDir('mixture');
  const fsdd = fsddSubset(dir);
  const esc = escSubset(dir);
  const suite = {
    name: 's',
    seed: 3,
    tasks: [
      {
        name: 'kws',
        sources: [
          {
            type: 'mixture',
            speech: { type: 'glob', root: fsdd, pattern: '*.wav', labelRegex: '^(?<label>[0-9])_' },
            noise: {
              type: 'folders',
              root: esc,
              split: { type: 'regex', test: '/5-', val: '/4-', default: 'train' },
            },
            snrDb: [-5, 10],
          },
        ],
        split: FSDD_SPLIT,
      },
    ],
  };
  const p = writeSuite(dir, suite);
  const r = await resolveSuite(loadSuiteFile(p));
  const foldOf = { train: '1', val: '4', test: '5' };
  for (const c of r.tasks[0].clips) {
    assert.equal(c.audio.kind, 'mixture');
    if (c.audio.kind !== 'mixture') continue;
    const noise = (c.audio.noise as FileAudio).path.split('/').pop()!;
    assert.equal(noise[0], foldOf[c.split], `${c.id} (${c.split}) mixed with ${noise}`);
    assert.ok(c.audio.snrDb >= -5 && c.audio.snrDb <= 10);
  }
  // Fixed: resolving again draws the same mixtures.
  const again = await resolveSuite(loadSuiteFile(p));
  assert.deepEqual(again.tasks[0].clips, r.tasks[0].clips);
  assert.equal(
    new Set(r.tasks[0].clips.map((c) => (c.audio.kind === 'mixture' ? c.audio.snrDb : 0))).size,
    24,
  );
});

test('shipped suites resolve with zero group leakage and no content in two splits', async () => {
  for (const name of [
    'fsdd-digit',
    'fsdd-speaker',
    'esc10',
    'lid-asterisk',
    'lid-ktuberling',
    'smn',
    'kws-noisy',
  ]) {
    const r = await resolveSuite(loadSuiteFile(join(SUITES, `${name}.json`)));
    assert.equal(r.tasks.length, 1);
  }
  for (const name of ['real', 'speech-commands-eval']) {
    const stats = await suiteStats(await resolveSuite(loadSuiteFile(join(SUITES, `${name}.json`))));
    for (const t of stats.tasks) assert.deepEqual(t.leaks, [], `${name}/${t.name}`);
    assert.deepEqual(stats.duplicates, [], name);
  }
});

test('real.json holds exactly the tasks of the individual suites', () => {
  const load = (n: string) => JSON.parse(readFileSync(join(SUITES, `${n}.json`), 'utf8'));
  const real = load('real');
  const names = ['fsdd-digit', 'fsdd-speaker', 'esc10', 'lid-asterisk', 'lid-ktuberling', 'smn', 'kws-noisy'];
  assert.deepEqual(
    real.tasks,
    names.flatMap((n) => load(n).tasks),
  );
  assert.equal(real.seed, load('kws-noisy').seed); // so kws-noisy's fixed mixtures are the same in both
});

test('shipped suites follow the data README: ESC folds, track-level music split, band-limited smn', async () => {
  const esc = await resolveSuite(loadSuiteFile(join(SUITES, 'esc10.json')));
  for (const c of esc.tasks[0].clips) {
    const fold = (c.audio as FileAudio).path.split('/').pop()![0];
    assert.equal(c.split, fold === '5' ? 'test' : fold === '4' ? 'val' : 'train');
  }
  const smn = await resolveSuite(loadSuiteFile(join(SUITES, 'smn.json')));
  const t = smn.tasks[0];
  assert.deepEqual(t.classes, ['speech', 'music', 'noise']);
  for (const c of t.clips) assert.equal((c.audio as FileAudio).resampleThroughHz, 8000, c.id);
  const trackSplits = new Map<string, Set<string>>();
  for (const c of t.clips.filter((c) => c.label === 1)) {
    const f = (c.audio as FileAudio).path;
    trackSplits.set(f, (trackSplits.get(f) ?? new Set()).add(c.split));
  }
  assert.equal(trackSplits.size, 5);
  for (const s of trackSplits.values()) assert.equal(s.size, 1);
  const sc = await resolveSuite(loadSuiteFile(join(SUITES, 'speech-commands-eval.json')));
  assert.deepEqual(
    sc.tasks.map((x) => [x.name, x.clips.length, x.evalOnly, new Set(x.clips.map((c) => c.split)).size]),
    [
      ['speech-commands', 300, true, 1],
      ['fsdd-digit', 100, true, 1],
    ],
  );
});
