// Kernel selection: the relaxed-SIMD build (fused multiply-add) when the runtime supports it, the
// plain SIMD build otherwise; and the relaxed build checked against PyTorch like the plain one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MtaError } from '../src/common/index.js';
import { createEngine } from '../src/engine/index.js';

const relaxedBytes = readFileSync(new URL('../build/kernels-relaxed.wasm', import.meta.url));
// Whether this runner started with relaxed SIMD on (Node 22+, or Node 20 with the V8 flag).
const supported = WebAssembly.validate(relaxedBytes);

test('relaxedSimd: false gives the plain kernels, true the relaxed ones (or a typed error where the runtime has none)', async () => {
  assert.equal((await createEngine({ relaxedSimd: false })).relaxedSimd, false);
  const relaxed = await createEngine({ relaxedSimd: true }).then(
    (e) => e.relaxedSimd,
    (e: unknown) => {
      // Only a runtime without relaxed SIMD at all (not Node 20, whose V8 has it behind a flag).
      assert.ok(e instanceof MtaError);
      assert.equal(e.code, 'UNSUPPORTED_FORMAT');
      assert.equal(e.subject, 'kernels-relaxed.wasm');
      return false;
    },
  );
  assert.equal(relaxed, true, 'Node 20 and later can run the relaxed kernels');
});

test('the relaxed-SIMD kernels match the PyTorch encoder fixture too', () => {
  const fixtureTest = fileURLToPath(new URL('./engine-encoder-fixture.test.ts', import.meta.url));
  const flags = supported ? [] : ['--experimental-wasm-relaxed-simd'];
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--test', fixtureTest], {
    encoding: 'utf8',
    // Without NODE_TEST_CONTEXT the child reports in plain TAP instead of to this test runner.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, MTA_RELAXED_SIMD: '1' },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# pass 1/);
});

test('the default engine turns relaxed SIMD on (Node 20: V8 flag set at run time) and runs the fused multiply-add kernels', () => {
  // A fresh process without the V8 flag: on Node 20 relaxed SIMD does not validate until the default
  // engine (through enableRelaxedSimd) turns it on; the plain engine leaves it off.
  const engineIndex = new URL('../src/engine/index.ts', import.meta.url).href;
  const code = `
    const { createEngine, enableRelaxedSimd } = await import(${JSON.stringify(engineIndex)});
    const plain = (await createEngine({ relaxedSimd: false })).relaxedSimd;
    const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(fileURLToPath(new URL('../build/kernels-relaxed.wasm', import.meta.url)))});
    const before = WebAssembly.validate(bytes);
    const byDefault = (await createEngine()).relaxedSimd;
    const enabled = await enableRelaxedSimd();
    console.log(JSON.stringify({ plain, before, byDefault, enabled }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(out, { plain: false, before: supported, byDefault: true, enabled: true });
});
