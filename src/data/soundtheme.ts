/**
 * KTuberling `<lang>.soundtheme` files: `<language code="fr"><sound name="ball" file="fr/x.wav"/>…`.
 * File names are sometimes translated, so the sound name (not the file name) identifies the word.
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { MtaError } from '../common/index.js';

export interface SoundTheme {
  language: string;
  /** Sound name and file path (relative to the themes folder). */
  sounds: { name: string; file: string }[];
}

export function readSoundTheme(file: string, subject: string): SoundTheme {
  let doc: unknown;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'sound',
    }).parse(readFileSync(file, 'utf8'), true);
  } catch (e) {
    throw new MtaError('BAD_DATA', `not a valid sound theme: ${(e as Error).message}`, { subject, cause: e });
  }
  const lang = (doc as { language?: { code?: unknown; sound?: unknown[] } }).language;
  if (!lang || typeof lang.code !== 'string') {
    throw new MtaError('BAD_DATA', 'no <language code="…"> element', { subject });
  }
  const sounds: SoundTheme['sounds'] = [];
  for (const s of lang.sound ?? []) {
    const { name, file: f } = s as { name?: unknown; file?: unknown };
    if (typeof name === 'string' && typeof f === 'string') sounds.push({ name, file: f });
  }
  return { language: lang.code, sounds };
}

/**
 * Word groups across languages: two sound names that share a file in any theme are one word, so
 * the group of a file is the smallest name of its connected component (union-find).
 */
export function soundGroups(themes: SoundTheme[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const byFile = new Map<string, string>();
  for (const t of themes) {
    for (const s of t.sounds) {
      if (!parent.has(s.name)) parent.set(s.name, s.name);
      const other = byFile.get(s.file);
      if (other === undefined) byFile.set(s.file, s.name);
      else union(other, s.name);
    }
  }
  const groups = new Map<string, string>();
  for (const name of parent.keys()) groups.set(name, find(name));
  return groups;
}
