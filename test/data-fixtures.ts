/**
 * Small real-data fixtures for the data tests: a few dozen FSDD and ESC-10 files copied from
 * ../shared/data into a temp folder (never into the repo), plus suite files pointing at them.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR } from './helpers/paths.js';

export const FSDD = join(DATA_DIR, 'fsdd', 'recordings');
export const ESC = join(DATA_DIR, 'esc10');

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `mta-data-${label}-`));
}

/** FSDD digits × speakers × repetitions, copied to `<dir>/fsdd/`. Returns the folder. */
export function fsddSubset(
  dir: string,
  digits = [0, 1, 2],
  speakers = ['george', 'jackson'],
  reps = [0, 5, 10, 11],
) {
  const out = join(dir, 'fsdd');
  mkdirSync(out, { recursive: true });
  for (const d of digits) {
    for (const s of speakers)
      for (const r of reps) copyFileSync(join(FSDD, `${d}_${s}_${r}.wav`), join(out, `${d}_${s}_${r}.wav`));
  }
  return out;
}

/** The first `perFold` clips of each listed fold of two ESC-10 classes, in class folders under `<dir>/esc/`. */
export function escSubset(
  dir: string,
  classes = ['002 - Rain', '007 - Helicopter'],
  folds = [1, 4, 5],
  perFold = 1,
) {
  const out = join(dir, 'esc');
  for (const c of classes) {
    mkdirSync(join(out, c), { recursive: true });
    for (const f of folds) {
      for (const name of readdirSync(join(ESC, c))
        .filter((n) => n.startsWith(`${f}-`))
        .slice(0, perFold)) {
        copyFileSync(join(ESC, c, name), join(out, c, name));
      }
    }
  }
  return out;
}

/** The FSDD split rule every shipped FSDD suite uses. */
export const FSDD_SPLIT = { type: 'regex', test: '_[0-4]\\.wav$', val: '_[5-9]\\.wav$', default: 'train' };

export function fsddDigitTask(root: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'digit',
    sources: [{ type: 'glob', root, pattern: '*.wav', labelRegex: '^(?<label>[0-9])_' }],
    split: FSDD_SPLIT,
    ...extra,
  };
}

export function writeSuite(dir: string, suite: unknown, name = 'suite.json'): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(suite, null, 2));
  return p;
}
