import type { Command } from 'commander';
import { MtaError } from '../../common/index.js';

/** A commander option parser for an integer flag in [min, max]; anything else is a user error. */
export function intOption(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new MtaError('BAD_ARGUMENT', 'must be an integer', {
        subject: flag,
        expected: `${min}…${max}`,
        actual: v,
      });
    }
    return n;
  };
}

/** The options of every command that reads a suite's features: cache, decoding threads, built-in suite size. */
export function addFeatureOptions(cmd: Command): Command {
  return cmd
    .option('--cache-dir <dir>', 'feature cache folder', '.cache/mta')
    .option('--workers <n>', 'decoding threads (default: one per core)', intOption('--workers', 1, 256))
    .option('--seed <n>', 'built-in suite: generator seed', intOption('--seed', 0, 0xffffffff))
    .option(
      '--clips-per-task <n>',
      'built-in suite: clips per task',
      intOption('--clips-per-task', 1, 1_000_000),
    );
}
