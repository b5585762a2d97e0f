import type { Command } from 'commander';
import { registerInfo } from './info.js';
import { registerStart } from './start.js';

/** Every subcommand, in the order `mta --help` lists them. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerInfo(program);
}
