/**
 * `mta`: the command-line entry point. Each subcommand lives in its own file under commands/ and
 * is registered in commands/index.ts. User errors exit with code 2 and one clear line, no stack.
 */
import { Command, CommanderError } from 'commander';
import { isMtaError } from '../common/index.js';
import { registerCommands } from './commands/index.js';

export const EXIT_USER_ERROR = 2;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('mta')
    .description(
      'multitask-adapters: train one small audio model for many classification tasks, with learned ' +
        'per-task adapters under a params or MACs budget, and run it in Node or the browser.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are "errors" to commander; they already printed what they had to say.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return 0;
      return EXIT_USER_ERROR;
    }
    if (isMtaError(e)) {
      process.stderr.write(`mta: error [${e.code}] ${e.describe()}\n`);
      return EXIT_USER_ERROR;
    }
    process.stderr.write(`mta: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.MTA_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
