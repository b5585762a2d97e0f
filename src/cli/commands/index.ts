import type { Command } from 'commander';
import { registerDemo } from './demo.js';
import { registerEval } from './eval.js';
import { registerExport } from './export.js';
import { registerInfer } from './infer.js';
import { registerInfo } from './info.js';
import { registerLogmel } from './logmel.js';
import { registerStart } from './start.js';
import { registerSuite } from './suite.js';
import { registerSweep } from './sweep.js';
import { registerTrain } from './train.js';

/** Every subcommand, in the order `mta --help` lists them. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerInfo(program);
  registerLogmel(program);
  registerSuite(program);
  registerTrain(program);
  registerInfer(program);
  registerEval(program);
  registerExport(program);
  registerSweep(program);
  registerDemo(program);
}
