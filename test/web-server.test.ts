/**
 * The `mta demo` server without a browser: what it serves (page files, the model, nothing else),
 * its headers, its typed errors, the default model, and a clean stop on SIGINT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMtaError } from '../src/common/index.js';
import { findDefaultModel, MODEL_NAME_HEADER, startDemoServer } from '../src/web/index.js';
import { runCli } from './helpers/cli.js';
import { demoModelBytes, STUB_PAGE, writeStubPage } from './web-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'mta-web-server-'));
const CACHE = fileURLToPath(new URL('../.cache/', import.meta.url));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const webDir = join(dir, 'web');
writeStubPage(webDir);
// Present in the build folder but of no servable type: must not be served.
writeFileSync(join(webDir, 'notes.txt'), 'not for the browser');
const modelPath = join(dir, 'model.safetensors');
const modelBytes = await demoModelBytes(1);
writeFileSync(modelPath, modelBytes);

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request: the path goes out exactly as written (fetch would normalise `..` away). */
function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function assertMtaError(p: Promise<unknown>, code: string, subject: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isMtaError(e), `expected an MtaError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof subject === 'string') assert.equal(e.subject, subject);
    else assert.match(e.subject ?? '', subject);
    return true;
  });
}

test('demo server: page files with their types, the model with its name, on 127.0.0.1', async () => {
  const server = await startDemoServer({ modelPath, port: 0, host: '127.0.0.1', webDir });
  try {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    assert.deepEqual(server.tasks, ['smn', 'scene', 'pitch']);
    const types: Record<string, RegExp> = {
      '/': /^text\/html/,
      '/index.html': /^text\/html/,
      '/demo.js': /^text\/javascript/,
      '/mta-runtime.js': /^text\/javascript/,
      '/mic-worklet.js': /^text\/javascript/,
      '/style.css': /^text\/css/,
      '/kernels.wasm': /^application\/wasm$/,
    };
    for (const [path, type] of Object.entries(types)) {
      const r = await get(server.port, path);
      assert.equal(r.status, 200, path);
      assert.match(String(r.headers['content-type']), type, path);
      const file = path === '/' ? 'index.html' : path.slice(1);
      assert.deepEqual(new Uint8Array(r.body), new Uint8Array(Buffer.from(STUB_PAGE[file])), path);
    }
    const model = await get(server.port, '/model.safetensors');
    assert.equal(model.status, 200);
    assert.deepEqual(new Uint8Array(model.body), modelBytes);
    assert.equal(decodeURIComponent(String(model.headers[MODEL_NAME_HEADER])), modelPath);
    // Single-threaded runtime: no SharedArrayBuffer, so no cross-origin isolation headers.
    assert.equal(model.headers['cross-origin-opener-policy'], undefined);
    assert.equal(model.headers['cross-origin-embedder-policy'], undefined);
    const page = await get(server.port, '/');
    assert.match(String(page.headers['content-security-policy']), /script-src 'self' 'wasm-unsafe-eval'/);
    const head = await get(server.port, '/demo.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  } finally {
    await server.close();
  }
});

test('demo server: nothing outside the build, no other types, no other methods', async () => {
  const server = await startDemoServer({ modelPath, port: 0, host: '127.0.0.1', webDir });
  try {
    for (const path of [
      '/notes.txt',
      '/../web/index.html',
      '/%2e%2e/package.json',
      '/..%2fmodel.safetensors',
      '//etc/passwd',
      '/index.html/',
      '/missing.js',
    ]) {
      assert.equal((await get(server.port, path)).status, 404, path);
    }
    const post = await get(server.port, '/', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  } finally {
    await server.close();
  }
});

test('demo server: typed errors for a missing build or model, a bad model, a port in use, a bad host', async () => {
  const emptyDir = join(dir, 'empty');
  mkdirSync(emptyDir, { recursive: true });
  await assertMtaError(
    startDemoServer({ modelPath, port: 0, host: '127.0.0.1', webDir: emptyDir }),
    'FILE_NOT_FOUND',
    emptyDir,
  );
  const missing = join(dir, 'no-such-model.safetensors');
  await assertMtaError(
    startDemoServer({ modelPath: missing, port: 0, host: '127.0.0.1', webDir }),
    'FILE_NOT_FOUND',
    missing,
  );
  await assertMtaError(
    startDemoServer({ modelPath: dir, port: 0, host: '127.0.0.1', webDir }),
    'FILE_UNREADABLE',
    dir,
  );
  // A safetensors file without the model config: the model decoder's error, about this file.
  const notModel = join(dir, 'not-a-model.safetensors');
  const header = Buffer.from('{"__metadata__":{"x":"y"}}');
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(notModel, Buffer.concat([size, header]));
  await assertMtaError(
    startDemoServer({ modelPath: notModel, port: 0, host: '127.0.0.1', webDir }),
    'BAD_MODEL',
    notModel,
  );

  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  try {
    await assertMtaError(
      startDemoServer({ modelPath, port, host: '127.0.0.1', webDir }),
      'BAD_ARGUMENT',
      `--port ${port}`,
    );
  } finally {
    taken.close();
  }
  // TEST-NET-1 (RFC 5737): an address no machine here has.
  await assertMtaError(
    startDemoServer({ modelPath, port: 0, host: '192.0.2.1', webDir }),
    'BAD_ARGUMENT',
    '--host 192.0.2.1',
  );
});

test('default model: the newest runs/*/model.safetensors, or an error saying how to train one', () => {
  const cwd = join(dir, 'project');
  assert.throws(
    () => findDefaultModel(cwd),
    (e: unknown) =>
      isMtaError(e) &&
      e.code === 'FILE_NOT_FOUND' &&
      e.subject === join(cwd, 'runs') &&
      /mta train/.test(e.hint ?? ''),
  );
  const at = (name: string, seconds: number): void => {
    mkdirSync(join(cwd, 'runs', name), { recursive: true });
    const file = join(cwd, 'runs', name, 'model.safetensors');
    writeFileSync(file, modelBytes);
    utimesSync(file, seconds, seconds);
  };
  at('older', 1_000_000);
  at('newest', 3_000_000);
  at('middle', 2_000_000);
  mkdirSync(join(cwd, 'runs', 'unfinished'), { recursive: true }); // a run without a model yet
  assert.equal(findDefaultModel(cwd), join('runs', 'newest', 'model.safetensors'));
});

test('mta demo: user errors exit 2 with one line naming the problem', async () => {
  const missing = runCli(['demo', '--model', join(dir, 'nope.safetensors'), '--web-dir', webDir]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^mta: error \[FILE_NOT_FOUND\] .*nope\.safetensors: no such model file/m);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);

  // A folder without runs/, inside the repository so that the child still finds tsx.
  mkdirSync(CACHE, { recursive: true });
  const cwd = mkdtempSync(join(CACHE, 'mta-web-cwd-'));
  const noRuns = runCli(['demo', '--web-dir', webDir], { cwd });
  rmSync(cwd, { recursive: true, force: true });
  assert.equal(noRuns.code, 2);
  assert.match(noRuns.stderr, /\[FILE_NOT_FOUND\] .*runs: no trained model .*mta train --suite builtin/);

  const badPort = runCli(['demo', '--model', modelPath, '--port', '80000', '--web-dir', webDir]);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /\[BAD_ARGUMENT\] --port: must be an integer \(expected 0…65535, got 80000\)/);

  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  try {
    const inUse = runCli(['demo', '--model', modelPath, '--port', String(port), '--web-dir', webDir]);
    assert.equal(inUse.code, 2);
    assert.match(inUse.stderr, new RegExp(`\\[BAD_ARGUMENT\\] --port ${port}: the port is already in use`));
  } finally {
    taken.close();
  }
});

test('mta demo: prints its address, serves, and stops cleanly on SIGINT', async () => {
  const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', bin, 'demo', '--model', modelPath, '--port', '0', '--web-dir', webDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (m) resolve(new URL(m[1]));
      });
      void exited.then((code) => reject(new Error(`mta demo exited (${code}) before serving: ${stderr}`)));
    });
    assert.match(stdout, /serving .*model\.safetensors \(3 tasks: smn, scene, pitch\)/);
    const port = Number(url.port);
    assert.equal((await get(port, '/')).status, 200);
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /mta demo: stopped/);
    await assert.rejects(get(port, '/'), /ECONNREFUSED/);
  } finally {
    child.kill('SIGKILL');
  }
});
