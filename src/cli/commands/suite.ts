import type { Command } from 'commander';
import { registerSuiteStats } from './suite-stats.js';

/** `mta suite`: task suite tools. `generate` (the built-in suite writer) lives in suite-generate.ts. */
export function registerSuite(program: Command): Command {
  const suite = program
    .command('suite')
    .description(
      'Task suites: statistics and checks (stats), writing the built-in suite to files (generate).',
    );
  registerSuiteStats(suite);
  // HOOK(suite-generate): registerSuiteGenerate(suite) from './suite-generate.js' once that file exists.
  return suite;
}
