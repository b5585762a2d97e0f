/**
 * Independent float64 references for the log-mel front end, written from the formulas (DESIGN.md §1,
 * tf.signal conventions), sharing no code with src/audio: a direct DFT, an explicit dense triangular
 * HTK-mel matrix, and a minimal 16-bit PCM WAV reader.
 */
import { readFileSync } from 'node:fs';

export interface RefParams {
  sampleRate: number;
  windowSamples: number;
  hopSamples: number;
  fftSize: number;
  melBands: number;
  melLowHz: number;
  melHighHz: number;
  logOffset: number;
}

export const REF_DEFAULTS: RefParams = {
  sampleRate: 16000,
  windowSamples: 400,
  hopSamples: 160,
  fftSize: 512,
  melBands: 64,
  melLowHz: 125,
  melHighHz: 7500,
  logOffset: 0.001,
};

/** Mono 16-bit PCM WAV → samples / 32768 (the scaling every PCM decoder uses). */
export function readPcm16Wav(path: string): { sampleRate: number; samples: Float64Array } {
  const b = readFileSync(path);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${path}: not RIFF/WAVE`);
  let sampleRate = 0;
  for (let off = 12; off + 8 <= b.length;) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      if (
        b.readUInt16LE(off + 8) !== 1 ||
        b.readUInt16LE(off + 10) !== 1 ||
        b.readUInt16LE(off + 22) !== 16
      ) {
        throw new Error(`${path}: reference reads mono 16-bit PCM only`);
      }
      sampleRate = b.readUInt32LE(off + 12);
    }
    if (id === 'data') {
      const n = Math.floor(Math.min(size, b.length - off - 8) / 2);
      const samples = new Float64Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(off + 8 + 2 * i) / 32768;
      return { sampleRate, samples };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

const hzToMel = (hz: number) => 1127 * Math.log(1 + hz / 700);
const melToHz = (mel: number) => 700 * (Math.exp(mel / 1127) - 1);

/** Centre frequency in Hz of each mel band: edges evenly spaced in mel, band b peaks at edge b + 1. */
export function refBandCentersHz(p: RefParams = REF_DEFAULTS): number[] {
  const lo = hzToMel(p.melLowHz);
  const step = (hzToMel(p.melHighHz) - lo) / (p.melBands + 1);
  return Array.from({ length: p.melBands }, (_, b) => melToHz(lo + (b + 1) * step));
}

/** Dense [bin][band] weights: triangles in mel, peak 1, DC bin zero. */
export function refMelMatrix(p: RefParams = REF_DEFAULTS): number[][] {
  const lo = hzToMel(p.melLowHz);
  const step = (hzToMel(p.melHighHz) - lo) / (p.melBands + 1);
  const bins = p.fftSize / 2 + 1;
  const m: number[][] = [];
  for (let k = 0; k < bins; k++) {
    const mel = hzToMel((k * p.sampleRate) / p.fftSize);
    const row: number[] = [];
    for (let b = 0; b < p.melBands; b++) {
      const left = lo + b * step;
      const centre = left + step;
      const right = centre + step;
      const rising = (mel - left) / (centre - left);
      const falling = (right - mel) / (right - centre);
      row.push(k === 0 ? 0 : Math.max(0, Math.min(rising, falling)));
    }
    m.push(row);
  }
  return m;
}

/** |DFT| of x (zero-padded to n) for bins 0..n/2, by the definition. */
export function refDftMagnitude(x: ArrayLike<number>, n: number): Float64Array {
  const cos = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * i) / n));
  const sin = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / n));
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < x.length; t++) {
      const idx = (t * k) % n;
      re += x[t] * cos[idx];
      im -= x[t] * sin[idx];
    }
    out[k] = Math.hypot(re, im);
  }
  return out;
}

/** frames × bands log-mel in float64: periodic Hann, no padding, |DFT|, dense mel matrix, log(· + offset). */
export function refLogMel(x: ArrayLike<number>, p: RefParams = REF_DEFAULTS): number[][] {
  const hann = Array.from(
    { length: p.windowSamples },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / p.windowSamples),
  );
  const mel = refMelMatrix(p);
  const frames = x.length < p.windowSamples ? 0 : 1 + Math.floor((x.length - p.windowSamples) / p.hopSamples);
  const out: number[][] = [];
  for (let t = 0; t < frames; t++) {
    const frame = hann.map((w, i) => w * x[t * p.hopSamples + i]);
    const mag = refDftMagnitude(frame, p.fftSize);
    const row: number[] = [];
    for (let b = 0; b < p.melBands; b++) {
      let s = 0;
      for (let k = 0; k < mag.length; k++) s += mag[k] * mel[k][b];
      row.push(Math.log(s + p.logOffset));
    }
    out.push(row);
  }
  return out;
}

/** Largest |a − b| over a flat row-major float array and a reference matrix of the same shape. */
export function maxAbsDiff(flat: ArrayLike<number>, ref: number[][]): number {
  let err = 0;
  const cols = ref.length ? ref[0].length : 0;
  ref.forEach((row, i) => row.forEach((v, j) => (err = Math.max(err, Math.abs(flat[i * cols + j] - v)))));
  return err;
}
