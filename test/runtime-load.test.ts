import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MtaError } from '../src/common/index.js';
import { loadModel } from '../src/runtime/index.js';
import { PRUNED_CONFIG, randomModel } from './runtime-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'mta-runtime-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejectsWith(p: Promise<unknown>, code: string, subject: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MtaError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.subject, subject);
    return true;
  });
}

test('loadModel reads bytes, a path, a file: URL and an http URL alike', async () => {
  const { bytes } = await randomModel();
  const path = join(dir, 'model.safetensors');
  writeFileSync(path, bytes);
  const server = createServer((req, res) => {
    if (req.url === '/model.safetensors') res.end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const audio = Float32Array.from({ length: 16000 }, (_, i) => Math.sin(i / 9));
    const sources = [bytes, path, pathToFileURL(path), new URL(`http://127.0.0.1:${port}/model.safetensors`)];
    const results = [];
    for (const s of sources) {
      const model = await loadModel(s);
      assert.deepEqual(
        model.tasks.map((t) => t.name),
        PRUNED_CONFIG.tasks.map((t) => t.name),
      );
      results.push(await model.predict({ audio, sampleRate: 16000 }));
    }
    for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
    const missingUrl = `http://127.0.0.1:${port}/nope.safetensors`;
    await rejectsWith(loadModel(new URL(missingUrl)), 'FILE_NOT_FOUND', missingUrl);
  } finally {
    server.close();
  }
});

test('loadModel: missing file, directory, not a model, and a bad batch are typed errors naming the source', async () => {
  const missing = join(dir, 'missing.safetensors');
  await rejectsWith(loadModel(missing), 'FILE_NOT_FOUND', missing);
  await rejectsWith(loadModel(dir), 'FILE_UNREADABLE', dir);
  const text = join(dir, 'text.safetensors');
  writeFileSync(text, 'not a model at all, just text');
  await rejectsWith(loadModel(text), 'BAD_MODEL', text);
  const { bytes } = await randomModel();
  await rejectsWith(loadModel(bytes, { batch: 0 }), 'BAD_ARGUMENT', 'batch');
  await rejectsWith(loadModel(42 as unknown as string), 'BAD_ARGUMENT', 'loadModel');
});
