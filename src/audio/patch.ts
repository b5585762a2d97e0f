/**
 * Cutting a clip's log-mel into the model's fixed-size input patches (patchFrames × bands).
 *
 * Policy, chosen for clip-level classification where predictions average over patches:
 * - Patches start every patchHopFrames frames while a whole patch fits.
 * - If frames remain after the last such patch, one more patch ends exactly at the clip's last
 *   frame, so the end of a clip is never dropped (an event in the last half second still counts).
 * - A clip with at least one frame but fewer than patchFrames gives one patch: its frames, then
 *   padding frames equal to log(0 + logOffset), i.e. exactly what digital silence after the clip
 *   would produce. That is the lowest value a log-mel cell can take, so padding never outweighs the
 *   real content under the encoder's max-pooling.
 * - A clip with no frame (shorter than one window) gives no patch.
 */
import { DEFAULT_FRONTEND, parseFrontendConfig, type FrontendConfig } from './frontend-config.js';
import type { LogMel } from './frontend.js';
import { MtaError } from '../common/index.js';

export interface Patches {
  count: number;
  frames: number;
  bands: number;
  /** count × frames × bands, row-major. */
  data: Float32Array;
}

/** First frame of each patch of a `frames`-frame clip, following the policy above. */
export function patchStarts(frames: number, cfg: FrontendConfig): number[] {
  const { patchFrames, patchHopFrames } = cfg;
  if (frames === 0) return [];
  if (frames <= patchFrames) return [0];
  const starts: number[] = [];
  let s = 0;
  for (; s + patchFrames <= frames; s += patchHopFrames) starts.push(s);
  const lastEnd = starts[starts.length - 1] + patchFrames;
  if (lastEnd < frames) starts.push(frames - patchFrames);
  return starts;
}

/** The value of a log-mel cell for silent input: log(0 + logOffset), rounded to float32. */
export function silenceLevel(cfg: FrontendConfig): number {
  return Math.fround(Math.log(cfg.logOffset));
}

export function toPatches(m: LogMel, cfg: FrontendConfig = DEFAULT_FRONTEND): Patches {
  const c = parseFrontendConfig(cfg);
  if (!Number.isInteger(m.frames) || m.frames < 0 || m.data.length !== m.frames * m.bands) {
    throw new MtaError('BAD_ARGUMENT', 'log-mel data does not match its shape', {
      subject: 'logMel',
      expected: `${m.frames} × ${m.bands} values`,
      actual: `${m.data.length}`,
    });
  }
  const starts = patchStarts(m.frames, c);
  const size = c.patchFrames * m.bands;
  const data = new Float32Array(starts.length * size);
  starts.forEach((s, i) => {
    const src = m.data.subarray(s * m.bands, Math.min(m.frames, s + c.patchFrames) * m.bands);
    data.set(src, i * size);
    data.fill(silenceLevel(c), i * size + src.length, (i + 1) * size);
  });
  return { count: starts.length, frames: c.patchFrames, bands: m.bands, data };
}
