/**
 * Streaming log-mel: push sample chunks of any size (including empty or single samples) and get the
 * frames and patches that became complete. Concatenating every push's output, then end()'s, gives
 * exactly logMel(all samples) and toPatches of it (same code per frame, so bit-identical).
 *
 *   const s = new LogMelStream();
 *   mic.on('data', (chunk) => run(s.push(chunk).patches));
 *   run(s.end().patches);                  // the tail / padded patch of patch.ts's policy
 *
 * Memory stays bounded: the stream keeps fewer than windowSamples + chunk samples and fewer than
 * 2·patchFrames + (new frames) frames.
 */
import { DEFAULT_FRONTEND, type FrontendConfig } from './frontend-config.js';
import { frameCount, LogMelExtractor, nonFinite, type LogMel } from './frontend.js';
import { silenceLevel, type Patches } from './patch.js';

export interface StreamOutput {
  frames: LogMel;
  patches: Patches;
}

export class LogMelStream {
  readonly config: FrontendConfig;
  private readonly extractor: LogMelExtractor;
  /** Samples from the start of the next frame on; bufferStart is its absolute sample index. */
  private samples = new Float32Array(0);
  private sampleCount = 0;
  private bufferStart = 0;
  /** The latest frames (see trimHistory), the first being absolute frame historyStart. */
  private history = new Float32Array(0);
  private historyFrames = 0;
  private historyStart = 0;
  private totalFrames = 0;
  private nextPatchStart = 0;
  /** One past the last frame covered by an emitted patch. */
  private coveredFrames = 0;

  constructor(cfg: FrontendConfig = DEFAULT_FRONTEND) {
    this.extractor = new LogMelExtractor(cfg);
    this.config = this.extractor.config;
  }

  push(chunk: Float32Array): StreamOutput {
    this.appendSamples(chunk);
    const frames = this.computeFrames();
    this.appendHistory(frames);
    const { patchFrames, patchHopFrames } = this.config;
    const starts: number[] = [];
    for (; this.nextPatchStart + patchFrames <= this.totalFrames; this.nextPatchStart += patchHopFrames) {
      starts.push(this.nextPatchStart);
    }
    const patches = this.cutPatches(starts);
    if (starts.length > 0) this.coveredFrames = starts[starts.length - 1] + patchFrames;
    this.trimHistory();
    return { frames, patches };
  }

  /**
   * Ends the clip: returns the patch that patch.ts's policy adds at the end (the tail patch ending at
   * the last frame, or the one padded patch of a clip shorter than patchFrames), if any, and resets
   * the stream for a new clip. Leftover samples shorter than a window make no frame, as in logMel.
   */
  end(): StreamOutput {
    const bands = this.config.melBands;
    let starts: number[] = [];
    if (this.totalFrames > 0 && this.coveredFrames < this.totalFrames) {
      starts = [Math.max(0, this.totalFrames - this.config.patchFrames)];
    }
    const patches = this.cutPatches(starts);
    this.sampleCount = 0;
    this.bufferStart = 0;
    this.historyFrames = 0;
    this.historyStart = 0;
    this.totalFrames = 0;
    this.nextPatchStart = 0;
    this.coveredFrames = 0;
    return { frames: { frames: 0, bands, data: new Float32Array(0) }, patches };
  }

  private appendSamples(chunk: Float32Array): void {
    const need = this.sampleCount + chunk.length;
    if (need > this.samples.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.samples.length, 2 * this.config.windowSamples));
      grown.set(this.samples.subarray(0, this.sampleCount));
      this.samples = grown;
    }
    this.samples.set(chunk, this.sampleCount);
    this.sampleCount = need;
  }

  private computeFrames(): LogMel {
    const { hopSamples, melBands } = this.config;
    const count = frameCount(this.sampleCount, this.config);
    const data = new Float32Array(count * melBands);
    for (let t = 0; t < count; t++) {
      if (!this.extractor.computeFrame(this.samples, t * hopSamples, data, t * melBands)) {
        throw nonFinite(this.totalFrames + t, this.bufferStart + t * hopSamples, this.config);
      }
    }
    if (count > 0) {
      const consumed = count * hopSamples;
      this.samples.copyWithin(0, consumed, this.sampleCount);
      this.sampleCount -= consumed;
      this.bufferStart += consumed;
    }
    return { frames: count, bands: melBands, data };
  }

  private appendHistory(m: LogMel): void {
    const bands = this.config.melBands;
    const need = (this.historyFrames + m.frames) * bands;
    if (need > this.history.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.history.length));
      grown.set(this.history.subarray(0, this.historyFrames * bands));
      this.history = grown;
    }
    this.history.set(m.data, this.historyFrames * bands);
    this.historyFrames += m.frames;
    this.totalFrames += m.frames;
  }

  /**
   * Keeps the last patchFrames frames: enough for end()'s tail patch and, since push() leaves
   * nextPatchStart > totalFrames − patchFrames, for every patch still to come. Frames are dropped
   * only once a patch's worth is stale, so small pushes do not move the whole history each time.
   */
  private trimHistory(): void {
    const bands = this.config.melBands;
    const keepFrom = Math.max(0, this.totalFrames - this.config.patchFrames);
    const drop = keepFrom - this.historyStart;
    if (drop < this.config.patchFrames) return;
    this.history.copyWithin(0, drop * bands, this.historyFrames * bands);
    this.historyFrames -= drop;
    this.historyStart = keepFrom;
  }

  private cutPatches(starts: number[]): Patches {
    const { patchFrames, melBands: bands } = this.config;
    const size = patchFrames * bands;
    const data = new Float32Array(starts.length * size);
    starts.forEach((s, i) => {
      const from = (s - this.historyStart) * bands;
      const to = Math.min(this.historyFrames * bands, from + size);
      data.set(this.history.subarray(from, to), i * size);
      data.fill(silenceLevel(this.config), i * size + (to - from), (i + 1) * size);
    });
    return { count: starts.length, frames: patchFrames, bands, data };
  }
}
