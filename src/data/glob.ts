/**
 * A small glob matcher (Node 20 has no fs.glob): `*` and `?` within one path segment, `**` across
 * segments, `[abc]` / `[a-z]` / `[!x]` classes and `{a,b}` alternatives. Paths use `/`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const atSegmentStart = i === 0 || pattern[i - 1] === '/';
        i++;
        if (atSegmentStart && pattern[i + 1] === '/') {
          i++;
          re += '(?:[^/]*/)*'; // `**/`: zero or more whole folders
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body[0] === '!') body = '^' + body.slice(1);
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\\]{}]/g, '\\$&');
  }
  if (braces > 0) throw new Error(`unclosed { in glob ${pattern}`);
  return new RegExp(`^${re}$`, 'u');
}

/** Files under root matching the glob, as sorted root-relative `/` paths. Hidden entries are skipped. */
export function globFiles(root: string, pattern: string): string[] {
  const re = globToRegExp(pattern);
  const staticPrefix = pattern.split('/');
  // Walk only below the literal leading folders of the pattern.
  const fixed: string[] = [];
  for (const seg of staticPrefix.slice(0, -1)) {
    if (/[*?[{]/.test(seg)) break;
    fixed.push(seg);
  }
  const out: string[] = [];
  walk(root, fixed.join('/'), (rel) => {
    if (re.test(rel)) out.push(rel);
  });
  return out.sort();
}

/** Every regular file below `root/rel`, reported root-relative; follows no symlinked folders. */
export function walk(root: string, rel: string, visit: (relPath: string) => void): void {
  let entries;
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(root, p, visit);
    else if (e.isFile() || e.isSymbolicLink()) visit(p);
  }
}
