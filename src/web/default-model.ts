import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MtaError } from '../common/index.js';

/** Where `mta train --out runs/<name>` leaves its model. */
export const RUNS_DIR = 'runs';
const MODEL_FILE = 'model.safetensors';

/**
 * The most recently written `runs/<name>/model.safetensors` under `cwd`, for `mta demo` without
 * --model. With none there is nothing meaningful to show (random weights would predict noise), so
 * the error says how to train one.
 */
export function findDefaultModel(cwd: string): string {
  const runs = join(cwd, RUNS_DIR);
  const candidates = existsSync(runs)
    ? readdirSync(runs, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(runs, d.name, MODEL_FILE))
        .filter((p) => existsSync(p))
        .map((p) => ({ path: p, mtime: statSync(p).mtimeMs }))
    : [];
  if (candidates.length === 0) {
    throw new MtaError('FILE_NOT_FOUND', `no trained model in ${RUNS_DIR}/*/${MODEL_FILE}`, {
      subject: runs,
      hint:
        'pass one with --model <file>, or train one first: ' +
        '`mta train --suite builtin --out runs/builtin` (then `mta demo`)',
    });
  }
  candidates.sort((a, b) => b.mtime - a.mtime || a.path.localeCompare(b.path));
  return relative(cwd, candidates[0].path) || candidates[0].path;
}
