/**
 * Training-time augmentation on cached log-mel patches (patchFrames × bands, row-major). Each op is
 * split into a seeded draw and a pure apply, so tests can check exactly what an op did.
 * (Noise mixing needs waveforms, so it happens when the cache is built: see feature-store.ts.)
 */
import type { Rng } from '../common/index.js';
import type { SpecAugmentConfig } from './suite-schema.js';

/**
 * Gain g = 10^(dB/20) applied to the audio scales the magnitude STFT and so every mel energy by g.
 * On a cached cell L = log(mel + offset) that is exactly log(g·(e^L − offset) + offset): a shift of
 * ln g where mel ≫ offset, and no change at silence.
 */
export function applyGain(patch: Float32Array, gainDb: number, logOffset: number): void {
  const g = 10 ** (gainDb / 20);
  for (let i = 0; i < patch.length; i++) {
    const mel = Math.max(0, Math.exp(patch[i]) - logOffset);
    patch[i] = Math.log(g * mel + logOffset);
  }
}

export interface MaskSpan {
  start: number;
  width: number;
}

export interface SpecAugmentDraw {
  /** Spans of frames set to the fill value. */
  time: MaskSpan[];
  /** Spans of mel bands set to the fill value. */
  freq: MaskSpan[];
}

/** SpecAugment (Park et al. 2019): widths uniform in [0, max], starts uniform where the span fits. */
export function drawSpecAugment(
  rng: Rng,
  cfg: SpecAugmentConfig,
  frames: number,
  bands: number,
): SpecAugmentDraw {
  const span = (max: number, size: number): MaskSpan => {
    const width = rng.int(Math.min(max, size) + 1);
    return { start: rng.int(size - width + 1), width };
  };
  return {
    time: Array.from({ length: cfg.timeMasks }, () => span(cfg.maxTimeWidth, frames)),
    freq: Array.from({ length: cfg.freqMasks }, () => span(cfg.maxFreqWidth, bands)),
  };
}

/** Sets the masked spans to the patch's mean (taken before masking), as SpecAugment on normalised input does. */
export function applySpecAugment(
  patch: Float32Array,
  frames: number,
  bands: number,
  d: SpecAugmentDraw,
): void {
  let mean = 0;
  for (let i = 0; i < frames * bands; i++) mean += patch[i];
  const fill = mean / (frames * bands);
  for (const m of d.time) patch.fill(fill, m.start * bands, (m.start + m.width) * bands);
  for (const m of d.freq) {
    for (let f = 0; f < frames; f++) patch.fill(fill, f * bands + m.start, f * bands + m.start + m.width);
  }
}
