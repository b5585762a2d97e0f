/**
 * `npm run bench:data [-- --per-corpus N] [--workers N]`: feature extraction over ../shared/data
 * (every audio file of its six corpora, about 7,100 clips; `--per-corpus N` takes the first N of
 * each to bound the time), with a cold cache (a fresh temp folder) and then a warm one, and the
 * rate at which a warm cache feeds training patches. Peer: the 20,000 patches/s the training
 * engine needs at most, and the cold path itself (what every epoch would cost without the cache).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSuite, prepareFeatures, resolveSuite, TaskBatcher, type SuiteDef } from '../src/data/index.js';

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const TARGET_PATCHES_PER_SEC = 20_000;

const args = process.argv.slice(2);
const flag = (name: string): number | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : Number(args[i + 1]);
};
const perCorpus = flag('--per-corpus');
const workers = flag('--workers') ?? availableParallelism();

/** One evaluation-only task per corpus, so every file is one clip and no split rule is needed. */
const corpus = (name: string, source: Record<string, unknown>) => ({
  name,
  evalOnly: true,
  sources: [source],
});
const def = parseSuite(
  {
    name: 'all-shared-data',
    tasks: [
      corpus('fsdd', {
        type: 'glob',
        root: `${DATA}fsdd`,
        pattern: 'recordings/*.wav',
        labelRegex: '/([0-9])_',
      }),
      corpus('esc10', { type: 'folders', root: `${DATA}esc10`, extensions: ['.ogg'] }),
      corpus('speech-commands', {
        type: 'folders',
        root: `${DATA}speech-commands-mini/speech_commands_v0.01`,
        extensions: ['.wav'],
      }),
      corpus('asterisk-prompts', {
        type: 'glob',
        root: `${DATA}asterisk-prompts/sounds`,
        pattern: '*/**/*.wav',
        labelRegex: '^([a-z]{2})_',
      }),
      corpus('ktuberling', { type: 'folders', root: `${DATA}ktuberling/sounds` }),
      corpus('asterisk-moh', {
        type: 'glob',
        root: `${DATA}asterisk-moh`,
        pattern: 'moh/*.wav',
        labelRegex: '/([a-z]+)',
      }),
    ],
  },
  'bench suite',
) as SuiteDef;

const suite = await resolveSuite({ file: 'bench suite', baseDir: DATA, def });
if (perCorpus) {
  // Every n-th clip, so each subset spans all classes.
  for (const t of suite.tasks) {
    const step = Math.max(1, Math.floor(t.clips.length / perCorpus));
    t.clips = t.clips.filter((_, i) => i % step === 0).slice(0, perCorpus);
  }
}
const clips = suite.tasks.reduce((s, t) => s + t.clips.length, 0);
const cacheDir = mkdtempSync(join(tmpdir(), 'mta-bench-data-'));
console.log(`bench:data: ${clips} clips from ../shared/data, ${workers} worker(s), cache ${cacheDir}`);

try {
  const cold = await prepareFeatures(suite, { cacheDir, workers });
  const c = cold.report;
  cold.close();
  console.log(
    `cold cache: ${c.seconds.toFixed(1)} s, ${(clips / c.seconds).toFixed(1)} clips/s ` +
      `(${c.extracted} extracted, ${c.skipped.length} skipped)`,
  );
  const warm = await prepareFeatures(suite, { cacheDir, workers, progress: false });
  const w = warm.report;
  console.log(
    `warm cache: ${w.seconds.toFixed(2)} s, ${(clips / w.seconds).toFixed(0)} clips/s ` +
      `(every entry CRC-checked; ${w.cached} cached, ${w.extracted} extracted) = ${(c.seconds / w.seconds).toFixed(0)}x faster than cold`,
  );
  // Feed: shuffled batches of 64 patches (one per clip) from every corpus, with time-shift crops.
  for (const t of warm.tasks) t.task.augment = { crop: 'offset' };
  const batchers = warm.tasks.map(
    (t) => new TaskBatcher(warm, t.task.name, { split: 'test', augment: true }),
  );
  let patches = 0;
  const t0 = performance.now();
  for (let epoch = 0; performance.now() - t0 < 5000; epoch++) {
    for (const b of batchers) for (const batch of b.epoch(epoch)) patches += batch.size;
  }
  const secs = (performance.now() - t0) / 1000;
  const rate = patches / secs;
  console.log(
    `warm feed: ${patches} patches in ${secs.toFixed(1)} s = ${rate.toFixed(0)} patches/s ` +
      `(${(rate / TARGET_PATCHES_PER_SEC).toFixed(2)}x the ${TARGET_PATCHES_PER_SEC} patches/s target; ` +
      `cold path ${(clips / c.seconds).toFixed(1)} clips/s)`,
  );
  warm.close();
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
