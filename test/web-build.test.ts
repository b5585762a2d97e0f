/**
 * The browser build (scripts/build-web.mjs): what it ships, that it imports no Node module
 * statically, its size against the 150 KB budget, and that the bundled runtime computes exactly what
 * the runtime from source does (the bundle is plain ESM, so Node can load it too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Rng } from '../src/common/index.js';
import { loadModel } from '../src/runtime/index.js';
import { BUDGET_GZIP_BYTES, buildWeb, bundleForBrowser } from '../scripts/build-web.mjs';
import { demoModelBytes } from './web-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'mta-web-build-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const outdir = join(dir, 'web');
const report = await buildWeb({ outdir });
const BUILD = fileURLToPath(new URL('../build/', import.meta.url));
/** The kernel builds the engine loads, as its source names them (kernels.wasm, kernels-relaxed.wasm). */
const KERNELS = [
  ...readFileSync(fileURLToPath(new URL('../src/engine/wasm.ts', import.meta.url)), 'utf8').matchAll(
    /build\/([\w.-]+\.wasm)/g,
  ),
]
  .map((m) => m[1])
  .sort();

test('web build: the runtime module with the kernels beside it, the page and its static files', () => {
  assert.ok(KERNELS.includes('kernels.wasm'), KERNELS.join());
  assert.deepEqual(
    readdirSync(outdir)
      .filter((f) => !f.endsWith('.map'))
      .sort(),
    [
      'bundle-size.json',
      'demo.js',
      'index.html',
      'mic-worklet.js',
      'mta-runtime.js',
      'style.css',
      ...KERNELS,
    ].sort(),
  );
  const runtime = readFileSync(join(outdir, 'mta-runtime.js'), 'utf8');
  for (const name of KERNELS) {
    assert.deepEqual(readFileSync(join(outdir, name)), readFileSync(join(BUILD, name)), name);
    const url = new RegExp(`new URL\\(["']\\./${name.replace('.', '\\.')}["'],\\s*import\\.meta\\.url\\)`);
    assert.match(runtime, url);
  }
  assert.doesNotMatch(runtime, /build\/[\w.-]+\.wasm/);
  // The page uses the shipped runtime module, not a second copy of it.
  const page = readFileSync(join(outdir, 'demo.js'), 'utf8');
  assert.match(page, /from\s*["']\.\/mta-runtime\.js["']/);
  assert.ok(page.length < runtime.length / 10, `demo.js is ${page.length} bytes`);
});

test('web build: no static import of a Node module anywhere in the bundle', () => {
  for (const file of ['mta-runtime.js', 'demo.js']) {
    const code = readFileSync(join(outdir, file), 'utf8');
    // Static forms only: `import … from "x"`, `import "x"`, `export … from "x"`, `require("x")`.
    const statics = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*|\brequire\(\s*)["']([^"']+)["']/g)].map(
      (m) => m[1],
    );
    const node = statics.filter((s) => s.startsWith('node:') || /^(fs|path|os|events|readline|url)$/.test(s));
    assert.deepEqual(node, [], `${file} imports ${node.join(', ')}`);
    assert.deepEqual(
      statics.filter((s) => s !== './mta-runtime.js'),
      [],
      `${file} must be self-contained`,
    );
  }
});

test('web build: a static Node import fails the build, naming it and its importer; a dynamic one is allowed', async () => {
  const staticEntry = join(dir, 'static-entry.ts');
  writeFileSync(
    staticEntry,
    "import { readFileSync } from 'node:fs';\nexport const read = () => readFileSync('x');\n",
  );
  await assert.rejects(
    bundleForBrowser({ name: 'static', entry: staticEntry, outdir: join(dir, 'bad') }),
    (e: Error) =>
      /must not import Node modules/.test(e.message) && /node:fs .*static-entry\.ts/.test(e.message),
  );
  const dynamicEntry = join(dir, 'dynamic-entry.ts');
  writeFileSync(
    dynamicEntry,
    "export const read = async () => (await import('node:fs/promises')).readFile('x');\n",
  );
  await bundleForBrowser({ name: 'dynamic', entry: dynamicEntry, outdir: join(dir, 'ok') });
});

test('web build: JS + wasm gzipped within the 150 KB budget, as bundle-size.json reports', () => {
  const gz = (f: string): number => gzipSync(readFileSync(join(outdir, f)), { level: 9 }).length;
  const core = ['mta-runtime.js', ...KERNELS].reduce((sum, f) => sum + gz(f), 0);
  const written = JSON.parse(readFileSync(join(outdir, 'bundle-size.json'), 'utf8')) as typeof report;
  assert.deepEqual(written, report);
  assert.deepEqual(report.core.files, ['mta-runtime.js', ...KERNELS]);
  assert.equal(report.core.gzipBytes, core);
  for (const f of report.files) assert.equal(f.bytes, readFileSync(join(outdir, f.file)).length, f.file);
  assert.equal(BUDGET_GZIP_BYTES, 150 * 1024);
  assert.ok(core <= BUDGET_GZIP_BYTES, `mta-runtime.js + ${KERNELS.join(' + ')} = ${core} bytes gzipped`);
});

test('web build: the bundled runtime predicts exactly what the runtime from source predicts', async () => {
  const bundled = (await import(pathToFileURL(join(outdir, 'mta-runtime.js')).href)) as {
    loadModel: typeof loadModel;
  };
  const bytes = await demoModelBytes(3);
  const rng = new Rng(7);
  const audio = Float32Array.from(
    { length: 44_100 * 2 },
    (_, i) => 0.3 * Math.sin(i * 0.05) + 0.1 * rng.normal(),
  );
  // Kernels by the bundle's default: the kernels.wasm beside mta-runtime.js.
  const fromBundle = await bundled.loadModel(bytes);
  const fromSource = await loadModel(bytes);
  try {
    const a = await fromBundle.predict({ audio, sampleRate: 44_100 });
    const b = await fromSource.predict({ audio, sampleRate: 44_100 });
    assert.deepEqual(
      a.map((p) => p.task),
      ['smn', 'scene', 'pitch'],
    );
    assert.deepEqual(a, b);
    const sa = fromBundle.stream({ sampleRate: 44_100 });
    const sb = fromSource.stream({ sampleRate: 44_100 });
    assert.deepEqual(sa.push(audio.subarray(0, 50_000)), sb.push(audio.subarray(0, 50_000)));
  } finally {
    fromBundle.dispose();
    fromSource.dispose();
  }
});
