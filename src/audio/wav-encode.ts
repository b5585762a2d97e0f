/**
 * Mono WAV writing (16-bit PCM by default, or 32-bit float). wavefile lays out the header and
 * packs the samples; the float → int16 quantisation is ours, matching wav-decode's scale (x·32768,
 * rounded, clipped to the int16 range), so decode(encode(x)) is within 1/65536 of x.
 */
import wavefile from 'wavefile';
import { MtaError, writeFileAtomic } from '../common/index.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from './decode-limits.js';

export interface EncodeWavOptions {
  /** Write 32-bit IEEE float samples instead of 16-bit PCM. */
  float?: boolean;
}

export function encodeWav(
  samples: Float32Array,
  sampleRate: number,
  opts: EncodeWavOptions = {},
): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new MtaError('BAD_ARGUMENT', 'sample rate is out of range', {
      subject: 'sampleRate',
      expected: `an integer from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz`,
      actual: String(sampleRate),
    });
  }
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new MtaError('NON_FINITE', 'cannot write a non-finite sample to WAV', {
        subject: 'samples',
        actual: `${samples[i]} at index ${i}`,
      });
    }
  }
  const wav = new wavefile.WaveFile();
  if (opts.float) {
    wav.fromScratch(1, sampleRate, '32f', samples);
  } else {
    const pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
    }
    wav.fromScratch(1, sampleRate, '16', pcm);
  }
  return wav.toBuffer();
}

/** encodeWav, written atomically (readers never see a partial file). */
export function writeWav(
  path: string,
  samples: Float32Array,
  sampleRate: number,
  opts: EncodeWavOptions = {},
): void {
  writeFileAtomic(path, encodeWav(samples, sampleRate, opts));
}
