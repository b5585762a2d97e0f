/**
 * Manifests: a CSV file with a header row, or JSONL (one object per line), with columns `path`,
 * `label` and optionally `split` and `group`. Paths are relative to the manifest's folder unless the
 * source sets `root`.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { MtaError } from '../common/index.js';
import { SPLITS, type Split } from './suite-schema.js';

const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

export interface ManifestRow {
  path: string;
  label: string;
  split?: Split;
  group?: string;
}

export function readManifest(file: string, subject: string): ManifestRow[] {
  const size = statSync(file).size;
  if (size > MAX_MANIFEST_BYTES) {
    throw new MtaError('LIMIT_EXCEEDED', 'manifest is too large', {
      subject,
      expected: `≤ ${MAX_MANIFEST_BYTES} bytes`,
      actual: `${size} bytes`,
    });
  }
  const text = readFileSync(file, 'utf8');
  const records = file.toLowerCase().endsWith('.csv') ? parseCsv(text, subject) : parseJsonl(text, subject);
  return records.map((r, i) => toRow(r, `${subject} row ${i + 1}`));
}

function parseCsv(text: string, subject: string): Record<string, unknown>[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    throw new MtaError('BAD_DATA', `not a valid CSV manifest: ${(e as Error).message}`, {
      subject,
      cause: e,
    });
  }
}

function parseJsonl(text: string, subject: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new MtaError('BAD_DATA', `line ${i + 1} is not JSON`, { subject, cause: e });
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new MtaError('BAD_DATA', `line ${i + 1} is not a JSON object`, { subject });
    }
    out.push(v as Record<string, unknown>);
  });
  return out;
}

function toRow(r: Record<string, unknown>, where: string): ManifestRow {
  const str = (k: string): string | undefined => {
    const v = r[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new MtaError('BAD_DATA', `column "${k}" must be a string`, { subject: where });
    }
    return String(v);
  };
  const path = str('path');
  const label = str('label');
  if (path === undefined) throw new MtaError('BAD_DATA', 'missing column "path"', { subject: where });
  if (label === undefined) throw new MtaError('BAD_DATA', 'missing column "label"', { subject: where });
  const split = str('split');
  if (split !== undefined && !(SPLITS as readonly string[]).includes(split)) {
    throw new MtaError('BAD_DATA', 'unknown split', {
      subject: where,
      expected: SPLITS.join(' | '),
      actual: split,
    });
  }
  return { path, label, split: split as Split | undefined, group: str('group') };
}
