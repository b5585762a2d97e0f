/**
 * A pool of extraction workers (worker_threads), one per core by default. Jobs go to whichever
 * worker is free; results stream back clip by clip. From source (tests, benches under tsx) the
 * worker is the .ts file, loaded through tsx's loader; from dist it is the compiled .js.
 */
import { availableParallelism } from 'node:os';
import { startModuleWorker } from '../common/index.js';
import type { FrontendConfig } from '../audio/index.js';
import type { ClipAudio } from './clip.js';

export interface ExtractSpec {
  key: string;
  audio: ClipAudio;
}

export interface ExtractJob {
  id: number;
  frontend: FrontendConfig;
  specs: ExtractSpec[];
}

export type ExtractReply =
  | {
      job: number;
      key: string;
      frames: number;
      samples: number;
      data: Float32Array;
      error?: undefined;
      done?: undefined;
    }
  | { job: number; key: string; error: string; done?: undefined }
  | { job: number; done: true; key?: undefined; error?: undefined };

export type ExtractResult = Exclude<ExtractReply, { done: true }>;

/** Runs every job on `workers` threads; `onResult` sees each clip's result as it arrives. */
export async function runExtraction(
  jobs: ExtractJob[],
  onResult: (r: ExtractResult) => void,
  workers = availableParallelism(),
): Promise<void> {
  if (jobs.length === 0) return;
  const n = Math.max(1, Math.min(workers, jobs.length));
  const pool = await Promise.all(
    Array.from({ length: n }, () => startModuleWorker(import.meta.url, 'extract-worker')),
  );
  let next = 0;
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolveAll, reject) => {
            const feed = (): void => {
              if (next >= jobs.length) return resolveAll();
              w.postMessage(jobs[next++]);
            };
            w.on('message', (r: ExtractReply) => {
              if (r.done) feed();
              else {
                try {
                  onResult(r);
                } catch (e) {
                  reject(e);
                }
              }
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (code !== 0) reject(new Error(`extraction worker exited with code ${code}`));
            });
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
