import type { Command } from 'commander';
import { MtaError } from '../../common/index.js';
import { openSuite, resolveSuite, suiteStats, SPLITS, type SuiteStats } from '../../data/index.js';
import { addFeatureOptions } from './suite-options.js';

export function registerSuiteStats(suite: Command): void {
  addFeatureOptions(
    suite
      .command('stats')
      .description(
        'Per task: classes, clips, total duration, split sizes per class; checks that no group (speaker, ' +
          'source recording, track) spans two splits and that no file content is used in two splits. ' +
          'Exits 2 if either check finds anything.',
      )
      .argument('<suite>', 'a suite JSON file, or `builtin` for the built-in procedural suite')
      .option('--json', 'print the statistics as JSON')
      .option('--no-audio', 'skip decoding (no durations, no unreadable-file check): resolve and check only'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  mta suite stats suites/esc10.json\n  mta suite stats builtin --clips-per-task 50 --json',
    )
    .action(async (spec: string, o: StatsFlags) => {
      const suite = await resolveSuite(openSuite(spec, { seed: o.seed, clipsPerTask: o.clipsPerTask }));
      const stats = await suiteStats(suite, {
        audio: o.audio,
        prepare: { cacheDir: o.cacheDir, workers: o.workers, progress: !o.json },
      });
      process.stdout.write(o.json ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats));
      const leaks = stats.tasks.reduce((n, t) => n + t.leaks.length, 0);
      if (leaks > 0 || stats.duplicates.length > 0) {
        throw new MtaError(
          'BAD_DATA',
          `${leaks} group(s) span two splits, ${stats.duplicates.length} file(s) are used in two splits`,
          { subject: spec, hint: 'fix the split rules so one recording stays in one split' },
        );
      }
    });
}

interface StatsFlags {
  json?: boolean;
  audio: boolean;
  cacheDir: string;
  workers?: number;
  seed?: number;
  clipsPerTask?: number;
}

function formatStats(s: SuiteStats): string {
  const out: string[] = [`suite ${s.name} (${s.file})`];
  for (const t of s.tasks) {
    const dur = t.durationSec === undefined ? '' : `, ${(t.durationSec / 60).toFixed(1)} min`;
    const extra = [
      t.evalOnly ? 'evaluation only' : '',
      t.droppedClips ? `${t.droppedClips} clips with other labels dropped` : '',
      t.unreadable ? `${t.unreadable} unreadable` : '',
    ].filter(Boolean);
    out.push(
      '',
      `task ${t.name}: ${t.classes.length} classes, ${t.clips} clips${dur}, ${t.groups} groups` +
        (extra.length ? ` (${extra.join(', ')})` : ''),
    );
    const w = Math.max(5, ...t.classes.map((c) => c.length));
    const weighted = t.classWeights.some((x) => x !== 1);
    out.push(
      `  ${'class'.padEnd(w)} ${SPLITS.map((x) => x.padStart(6)).join(' ')}${weighted ? '  weight' : ''}`,
    );
    t.classes.forEach((c, i) => {
      const row = SPLITS.map((x) => String(t.perClass[x][i]).padStart(6)).join(' ');
      out.push(`  ${c.padEnd(w)} ${row}${weighted ? `  ${t.classWeights[i].toFixed(2).padStart(6)}` : ''}`);
    });
    const totals = SPLITS.map((x) => String(t.perClass[x].reduce((a, b) => a + b, 0)).padStart(6)).join(' ');
    out.push(`  ${'total'.padEnd(w)} ${totals}`);
    out.push(
      t.leaks.length === 0
        ? '  group leakage: none'
        : `  group leakage: ${t.leaks.length} group(s) in two splits, e.g. ${t.leaks
            .slice(0, 3)
            .map((l) => `${l.group} (${l.splits.join(', ')})`)
            .join('; ')}`,
    );
  }
  out.push('');
  if (s.duplicates.length === 0) out.push('duplicate content across splits: none');
  else {
    out.push(`duplicate content across splits: ${s.duplicates.length} file(s), e.g.`);
    for (const d of s.duplicates.slice(0, 5)) {
      out.push(`  ${d.uses.map((u) => `${u.split}: ${u.task} ${u.audio}`).join('  |  ')}`);
    }
  }
  if (s.unreadable) {
    out.push(`unreadable clips (skipped): ${s.unreadable.count}`);
    for (const u of s.unreadable.first) out.push(`  ${u.audio}: ${u.reason}`);
  }
  return out.join('\n') + '\n';
}
