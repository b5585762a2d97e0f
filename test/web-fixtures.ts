/**
 * Fixtures of the browser-demo tests: a small model with random weights and demo-like task names
 * (the tests compare the browser with the Node runtime, so how good the model is does not matter),
 * and a stand-in for the built page, for tests of the server alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModelConfig, type ModelConfig } from '../src/model/index.js';
import { randomModel } from './runtime-fixtures.js';

export const DEMO_CONFIG: ModelConfig = buildModelConfig({
  width: 0.25,
  adapterWidth: 0.5,
  tasks: [
    { name: 'smn', classes: ['speech', 'music', 'noise'] },
    { name: 'scene', classes: ['street', 'rain', 'babble', 'wind', 'machinery', 'water', 'office'] },
    { name: 'pitch', classes: ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] },
  ],
});

/** The model file of DEMO_CONFIG (or `config`) with random weights from `seed`. */
export async function demoModelBytes(seed: number, config: ModelConfig = DEMO_CONFIG): Promise<Uint8Array> {
  return (await randomModel(config, seed)).bytes;
}

/** The files the server requires, with recognisable contents, as the build would lay them out. */
export const STUB_PAGE: Record<string, Uint8Array | string> = {
  'index.html': '<!doctype html><title>stub page</title>',
  'demo.js': 'export const page = 1;',
  'mta-runtime.js': 'export const runtime = 1;',
  'mic-worklet.js': '// worklet',
  'style.css': 'body {}',
  'kernels.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
};

export function writeStubPage(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(STUB_PAGE)) writeFileSync(join(dir, name), content);
}
