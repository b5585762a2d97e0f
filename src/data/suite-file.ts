/**
 * Reading a suite file: JSON syntax, then the zod schema, then cross-field checks. Every error is an
 * MtaError whose subject is `<file>: <field path>`, e.g. `suites/x.json: tasks[2].sources[0].labelRegex`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { MtaError } from '../common/index.js';
import { suiteSchema, type SuiteDef } from './suite-schema.js';

/** Suite files are small; anything bigger is not a suite. */
const MAX_SUITE_BYTES = 16 * 1024 * 1024;

export interface SuiteFile {
  /** Absolute path of the suite file, or a label such as `builtin` for suites without a file. */
  file: string;
  /** Folder relative paths in the suite resolve against. */
  baseDir: string;
  def: SuiteDef;
}

export function loadSuiteFile(path: string): SuiteFile {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new MtaError('FILE_NOT_FOUND', 'suite file not found', {
      subject: path,
      hint: 'pass a suite JSON file (see suites/) or `builtin`',
    });
  }
  const size = statSync(file).size;
  if (size > MAX_SUITE_BYTES) {
    throw new MtaError('LIMIT_EXCEEDED', 'suite file is too large', {
      subject: path,
      expected: `≤ ${MAX_SUITE_BYTES} bytes`,
      actual: `${size} bytes`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MtaError('BAD_CONFIG', `not valid JSON: ${(e as Error).message}`, { subject: path, cause: e });
  }
  return { file, baseDir: dirname(file), def: parseSuite(json, path) };
}

/** Validates a parsed suite object; `file` names it in errors. */
export function parseSuite(json: unknown, file: string): SuiteDef {
  const r = suiteSchema.safeParse(json);
  if (!r.success) throw issueToError(r.error.issues[0], file, json);
  const seen = new Map<string, number>();
  r.data.tasks.forEach((t, i) => {
    const prev = seen.get(t.name);
    if (prev !== undefined) {
      throw new MtaError('BAD_CONFIG', `duplicate task name "${t.name}" (also tasks[${prev}])`, {
        subject: `${file}: tasks[${i}].name`,
      });
    }
    seen.set(t.name, i);
    if (t.classes && new Set(t.classes).size !== t.classes.length) {
      throw new MtaError('BAD_CONFIG', 'class list has duplicates', {
        subject: `${file}: tasks[${i}].classes`,
      });
    }
  });
  return r.data;
}

/** `['tasks', 2, 'sources', 0, 'labelRegex']` → `tasks[2].sources[0].labelRegex`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s || '(root)';
}

function issueToError(issue: z.core.$ZodIssue, file: string, json: unknown): MtaError {
  if (issue.code === 'unrecognized_keys') {
    return new MtaError('BAD_CONFIG', 'unknown field', {
      subject: `${file}: ${fieldPath([...issue.path, issue.keys[0]])}`,
    });
  }
  const actual = valueAt(json, issue.path);
  const shown = actual === undefined || typeof actual === 'object' ? '' : ` (got ${JSON.stringify(actual)})`;
  return new MtaError('BAD_CONFIG', issue.message + shown.slice(0, 100), {
    subject: `${file}: ${fieldPath(issue.path)}`,
  });
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = json;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
