/**
 * Feature extraction worker: renders clip audio (decode, band-limit, window, mix) and computes its
 * log-mel frames. One job = clips sharing a source file, so the file is decoded once per job.
 */
import { parentPort } from 'node:worker_threads';
import { isMtaError } from '../common/index.js';
import { logMel } from '../audio/index.js';
import { WaveformRenderer } from './render.js';
import type { ExtractJob, ExtractReply } from './extract-pool.js';

let renderer: WaveformRenderer | undefined;

parentPort!.on('message', async (job: ExtractJob) => {
  if (!renderer || renderer.sampleRate !== job.frontend.sampleRate) {
    renderer = new WaveformRenderer(job.frontend.sampleRate);
  }
  for (const spec of job.specs) {
    let reply: ExtractReply;
    try {
      const wave = await renderer.render(spec.audio);
      const m = logMel(wave, job.frontend);
      if (m.frames === 0) throw new Error('clip is shorter than one STFT window');
      reply = { job: job.id, key: spec.key, frames: m.frames, samples: wave.length, data: m.data };
      parentPort!.postMessage(reply, [m.data.buffer as ArrayBuffer]);
      continue;
    } catch (e) {
      reply = {
        job: job.id,
        key: spec.key,
        error: isMtaError(e) ? e.describe() : e instanceof Error ? e.message : String(e),
      };
    }
    parentPort!.postMessage(reply);
  }
  parentPort!.postMessage({ job: job.id, done: true } satisfies ExtractReply);
});
