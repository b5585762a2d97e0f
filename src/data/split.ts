/**
 * Split rules: which of train / val / test a clip belongs to.
 * - explicit: the source says (manifest column, built-in plan) or list files name the path;
 * - regex: on the path relative to the source root;
 * - hash: a deterministic hash of the clip's group against cumulative fractions, so every clip of a
 *   group lands in the same split, independent of which other files exist;
 * - fixed: every clip in one split.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MtaError } from '../common/index.js';
import { SPLITS, type Split, type SplitRule } from './suite-schema.js';

export interface SplitInput {
  relPath: string;
  group: string;
  split?: Split;
}

export type Splitter = (clip: SplitInput) => Split;

/** `where` is the rule's field path, e.g. `suite.json: tasks[1].split`. */
export function makeSplitter(rule: SplitRule, baseDir: string, where: string): Splitter {
  switch (rule.type) {
    case 'fixed':
      return () => rule.split;
    case 'hash':
      return (c) => hashSplit(c.group, rule);
    case 'regex': {
      const res = SPLITS.flatMap((s) =>
        rule[s] === undefined ? [] : [[s, new RegExp(rule[s]!, 'u')] as const],
      );
      return (c) => {
        for (const [s, re] of res) if (re.test(c.relPath)) return s;
        if (rule.default) return rule.default;
        throw new MtaError('BAD_CONFIG', `no split regex matches ${c.relPath} and there is no default`, {
          subject: where,
        });
      };
    }
    case 'explicit': {
      const listed = new Map<string, Split>();
      for (const s of SPLITS) {
        const f = rule.lists?.[s];
        if (f === undefined) continue;
        const file = resolve(baseDir, f);
        if (!existsSync(file)) {
          throw new MtaError('FILE_NOT_FOUND', `split list not found: ${file}`, {
            subject: `${where}.lists.${s}`,
          });
        }
        for (const line of readFileSync(file, 'utf8').split('\n')) {
          const p = line.trim();
          if (p) listed.set(p, s);
        }
      }
      return (c) => {
        const s = c.split ?? listed.get(c.relPath) ?? rule.default;
        if (s === undefined) {
          throw new MtaError(
            'BAD_CONFIG',
            `${c.relPath} has no split: the source gives none and no list names it`,
            {
              subject: where,
              hint: 'add a split rule (regex, hash or lists), or a "default"',
            },
          );
        }
        return s;
      };
    }
  }
}

/** Uniform in [0, 1) from the group name and salt (first 48 bits of SHA-1). */
export function groupHash(group: string, salt: string): number {
  const h = createHash('sha1').update(salt).update('\0').update(group).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

function hashSplit(group: string, r: Extract<SplitRule, { type: 'hash' }>): Split {
  const u = groupHash(group, r.salt);
  if (u < r.train) return 'train';
  if (u < r.train + r.val) return 'val';
  return 'test';
}
