// Throughput of our runtime on several threads, as a Node service would scale it: one loaded model per
// worker thread, each predicting whole batches for the same wall interval; the rates add up.
// Shared by bench:engine and bench:infer.
import { Worker } from 'node:worker_threads';
import type { Patches } from '../src/audio/index.js';

export interface ThreadsMeasurement {
  modelBytes: Uint8Array;
  patches: Patches;
  threads: number;
  relaxedSimd: boolean;
  /** Timed interval per worker (after one warm-up call). */
  ms?: number;
}

/** Patches per second over all workers. */
export async function measureRuntimeThreads(m: ThreadsMeasurement): Promise<number> {
  const fromSource = import.meta.url.endsWith('.ts');
  const runtime = new URL(`../src/runtime/index.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  const workerCode = `
    const { parentPort, workerData: d } = require('node:worker_threads');
    (async () => {
      ${fromSource ? `(await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register();` : ''}
      const { loadModel } = await import(${JSON.stringify(runtime)});
      const model = await loadModel(d.bytes, { batch: d.patches.count, relaxedSimd: d.relaxedSimd });
      model.predictPatches(d.patches);
      parentPort.postMessage('ready');
      parentPort.once('message', () => {
        const t0 = performance.now();
        let n = 0;
        while (performance.now() - t0 < d.ms) { model.predictPatches(d.patches); n += d.patches.count; }
        parentPort.postMessage(n / ((performance.now() - t0) / 1000));
      });
    })();`;
  const workerData = {
    bytes: m.modelBytes,
    patches: m.patches,
    relaxedSimd: m.relaxedSimd,
    ms: m.ms ?? 3000,
  };
  const workers = Array.from({ length: m.threads }, () => new Worker(workerCode, { eval: true, workerData }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    const rates = await Promise.all(
      workers.map((w) => {
        const done = new Promise<number>((resolve) => w.once('message', resolve));
        w.postMessage('go');
        return done;
      }),
    );
    return rates.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
