import type { Command } from 'commander';
import { registerInfo } from './info.js';
import { registerLogmel } from './logmel.js';
import { registerStart } from './start.js';
import { registerSuite } from './suite.js';
import { registerTrain } from './train.js';

/** Every subcommand, in the order `mta --help` lists them. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerInfo(program);
  registerLogmel(program);
  registerSuite(program);
  registerTrain(program);
}
