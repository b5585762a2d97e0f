import type { Command } from 'commander';
import { registerSuiteGenerate } from './suite-generate.js';
import { registerSuiteStats } from './suite-stats.js';

/** `mta suite`: task suite tools. `generate` (the built-in suite writer) lives in suite-generate.ts. */
export function registerSuite(program: Command): Command {
  const suite = program
    .command('suite')
    .description(
      'Task suites: statistics and checks (stats), writing the built-in suite to files (generate).',
    );
  registerSuiteStats(suite);
  registerSuiteGenerate(suite);
  return suite;
}
