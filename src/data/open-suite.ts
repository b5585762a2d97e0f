/** A suite named on the command line: a suite JSON file, or `builtin` (generated, no files). */
import { builtinSuite } from './builtin-source.js';
import { loadSuiteFile, type SuiteFile } from './suite-file.js';

export interface OpenSuiteOptions {
  /** Built-in suite only: generator seed and clips per task. */
  seed?: number;
  clipsPerTask?: number;
}

export function openSuite(spec: string, opts: OpenSuiteOptions = {}): SuiteFile {
  return spec === 'builtin' ? builtinSuite(opts) : loadSuiteFile(spec);
}
