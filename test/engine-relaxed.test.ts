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
const supported = WebAssembly.validate(relaxedBytes);

test('the default engine uses relaxed SIMD exactly when the runtime validates it', async () => {
  assert.equal((await createEngine()).relaxedSimd, supported);
  assert.equal((await createEngine({ relaxedSimd: false })).relaxedSimd, false);
  if (supported) {
    assert.equal((await createEngine({ relaxedSimd: true })).relaxedSimd, true);
  } else {
    await assert.rejects(createEngine({ relaxedSimd: true }), (e: unknown) => {
      assert.ok(e instanceof MtaError);
      assert.equal(e.code, 'UNSUPPORTED_FORMAT');
      assert.equal(e.subject, 'kernels-relaxed.wasm');
      return true;
    });
  }
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

test('enableRelaxedSimd makes the fused multiply-add kernels the default on this Node', () => {
  // A fresh process without the V8 flag: relaxed SIMD is off on Node 20 until the call turns it on.
  const engineIndex = new URL('../src/engine/index.ts', import.meta.url).href;
  const code = `
    const { createEngine, enableRelaxedSimd } = await import(${JSON.stringify(engineIndex)});
    const before = (await createEngine()).relaxedSimd;
    const enabled = await enableRelaxedSimd();
    const after = (await createEngine()).relaxedSimd;
    console.log(JSON.stringify({ before, enabled, after }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const { before, enabled, after } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(before, supported, 'the child starts with the same flags as this runner');
  assert.equal(enabled, true);
  assert.equal(after, true);
});
