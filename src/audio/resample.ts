/**
 * Band-limited resampling with libsamplerate (SRC_SINC_BEST_QUALITY) via its WebAssembly port.
 * Measured by test/audio-resample.test.ts (README "Audio input"): to 16 kHz, flat within 0.01 dB
 * up to 7.5 kHz and everything from 8.1 kHz up attenuated by more than 140 dB.
 *
 * One converter is created on first use and re-initialised for every call (fresh filter state,
 * new rates). Input is fed in chunks that fit the port's fixed 4 MB transfer buffers; the tail is
 * flushed by feeding zeros, since the port's `full` call never sets end_of_input. Memory is the
 * output plus one chunk.
 */
import type libsamplerate from '@alexanderolsen/libsamplerate-js';
import { MtaError } from '../common/index.js';

type Converter = Awaited<ReturnType<typeof libsamplerate.create>>;

/** libsamplerate accepts conversion ratios in [1/256, 256] (SRC_MAX_RATIO). */
const MAX_RATIO = 256;
/** Most input and output frames of one call, far below the port's 1,008,000-float buffers. */
const CHUNK_OUTPUT = 1 << 18;

/** Zeros fed per flush call: short clips should not pay for a long flush. */
const FLUSH_FRAMES = 4096;

let converter: Promise<Converter> | undefined;

function getConverter(fromRate: number, toRate: number): Promise<Converter> {
  // Loaded on first use: the port is about 2 MB (1.5 MB gzipped), which the browser bundle only
  // fetches, as a separate chunk, when audio actually needs resampling.
  converter ??= import('@alexanderolsen/libsamplerate-js').then((ns) => {
    // A CommonJS module: Node puts its exports under `default`, tsx and bundlers on the namespace.
    const src = (ns as { default?: typeof libsamplerate }).default ?? ns;
    return src.create(1, fromRate, toRate, { converterType: src.ConverterType.SRC_SINC_BEST_QUALITY });
  });
  return converter;
}

/**
 * Resamples mono audio. Output length is ceil(x.length · toRate / fromRate): the output instants
 * k / toRate that fall inside the input's span. Returns a new array.
 */
export async function resample(x: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  checkRate('fromRate', fromRate);
  checkRate('toRate', toRate);
  const ratio = toRate / fromRate;
  if (ratio > MAX_RATIO || ratio < 1 / MAX_RATIO) {
    throw new MtaError('BAD_ARGUMENT', 'resampling ratio is out of range', {
      subject: 'toRate / fromRate',
      expected: `between 1/${MAX_RATIO} and ${MAX_RATIO}`,
      actual: `${toRate} / ${fromRate}`,
    });
  }
  if (fromRate === toRate) return x.slice();
  const out = new Float32Array(Math.ceil((x.length * toRate) / fromRate));
  if (out.length === 0) return out;
  const src = await getConverter(fromRate, toRate);
  // Each assignment re-creates the libsamplerate state, so no filter history leaks between calls.
  src.ratio = ratio;
  src.inputSampleRate = fromRate;
  src.outputSampleRate = toRate;
  const chunk = Math.max(1, Math.floor(Math.min(CHUNK_OUTPUT, CHUNK_OUTPUT / ratio)));
  let filled = 0;
  const take = (y: Float32Array): void => {
    const n = Math.min(y.length, out.length - filled);
    out.set(y.subarray(0, n), filled);
    filled += n;
  };
  for (let off = 0; off < x.length; off += chunk) take(src.full(x.subarray(off, off + chunk)));
  // The sinc filter holds back about its half-length (under 40k input samples even at ratio 1/256);
  // zeros push it out. The bound only guards against a bug.
  const zeros = new Float32Array(Math.min(chunk, FLUSH_FRAMES));
  for (let i = 0; filled < out.length; i++) {
    if (i > 64) throw new Error(`resampler produced ${filled} of ${out.length} samples`);
    take(src.full(zeros));
  }
  return out;
}

function checkRate(what: string, rate: number): void {
  // The wasm port takes rates as C ints.
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new MtaError('BAD_ARGUMENT', 'sample rate must be a positive integer', {
      subject: what,
      expected: 'an integer rate in Hz > 0',
      actual: String(rate),
    });
  }
}
