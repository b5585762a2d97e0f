// The hand-written Kernels interface (src/engine/kernels.ts) against what the compiler generated
// (build/kernels.d.ts, from `npm run build:wasm`) and against the instantiated module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { instantiate } from '../build/kernels.js';
import { createEngine, type Kernels } from '../src/engine/index.js';

type Generated = Omit<Awaited<ReturnType<typeof instantiate>>, 'memory'>;

// Compile-time drift check: each type must be assignable to the other, so both have the same kernel
// names, and a kernel with a different number of parameters fails one of the two directions.
const _interfaceCoversModule = (k: Generated): Kernels => k;
const _moduleCoversInterface = (k: Kernels): Generated => k;

test('every kernel the generated declarations list is exported with that many parameters', async () => {
  const dts = readFileSync(new URL('../build/kernels.d.ts', import.meta.url), 'utf8');
  const declared = [...dts.matchAll(/export function (\w+)\(([^)]*)\)/g)].map((m) => ({
    name: m[1],
    arity: m[2].trim() === '' ? 0 : m[2].split(',').length,
  }));
  assert.ok(declared.length >= 20, `parsed ${declared.length} kernels`);
  const engine = await createEngine();
  const exports = engine.kernels as unknown as Record<string, unknown>;
  for (const { name, arity } of declared) {
    const fn = exports[name];
    assert.equal(typeof fn, 'function', name);
    assert.equal((fn as (...a: unknown[]) => unknown).length, arity, `${name} arity`);
  }
});
