/**
 * Triangular mel filterbank over FFT magnitude bins, stored sparsely. Adjacent triangles overlap by
 * half, so every bin feeds at most two consecutive bands: the one whose upper slope holds it and the
 * next, whose lower slope holds it. Storing that pair per bin makes applying the filterbank one pass
 * of two multiply-adds per bin, with no per-band loops.
 */
import { toDoubleArray } from './frontend-arrays.js';

/** HTK mel scale, as tf.signal's _hertz_to_mel: 1127 · ln(1 + f / 700). */
function hzToMel(hz: number): number {
  return 1127 * Math.log1p(hz / 700);
}

export interface MelFilterbankParams {
  sampleRate: number;
  fftSize: number;
  melBands: number;
  lowHz: number;
  highHz: number;
}

export interface MelFilterbank {
  bands: number;
  /** Only bins minBin ≤ k < maxBin have a nonzero weight (in some band). */
  minBin: number;
  maxBin: number;
  /**
   * For bin k, at i = k − minBin: it adds lowerWeight[i] · |X[k]| to band lowerBand[i] and
   * upperWeight[i] · |X[k]| to band lowerBand[i] + 1. lowerBand is in −1 … bands − 1; a weight
   * for a band outside 0 … bands − 1 is 0.
   */
  lowerBand: number[];
  lowerWeight: number[];
  upperWeight: number[];
  /** Number of bins with a nonzero weight in each band. */
  binsPerBand: Int32Array;
}

/**
 * Matches tf.signal.linear_to_mel_weight_matrix (TF 2.x mel_ops.py): bins at k·sr/fftSize for
 * k = 0 … fftSize/2 with the DC bin excluded, band edges evenly spaced in HTK mel from lowHz to
 * highHz, weight max(0, min(lower slope, upper slope)) with both slopes in mel, peak 1, no area
 * normalisation.
 */
export function melFilterbank(p: MelFilterbankParams): MelFilterbank {
  const bins = p.fftSize / 2 + 1;
  const lowMel = hzToMel(p.lowHz);
  const step = (hzToMel(p.highHz) - lowMel) / (p.melBands + 1);
  const edges = Float64Array.from({ length: p.melBands + 2 }, (_, i) => lowMel + i * step);
  const weight = (band: number, mel: number) => {
    if (band < 0 || band >= p.melBands) return 0;
    const up = (mel - edges[band]) / (edges[band + 1] - edges[band]);
    const down = (edges[band + 2] - mel) / (edges[band + 2] - edges[band + 1]);
    return Math.max(0, Math.min(up, down));
  };

  const lowerBand = new Int32Array(bins);
  const lowerWeight = new Float64Array(bins);
  const upperWeight = new Float64Array(bins);
  const binsPerBand = new Int32Array(p.melBands);
  let minBin = bins;
  let maxBin = 0;
  // Edges rise, so the edge just below each bin only moves forward: O(bins + bands).
  let j = -1;
  for (let k = 1; k < bins; k++) {
    const mel = hzToMel((k * p.sampleRate) / p.fftSize);
    while (j + 1 < edges.length && edges[j + 1] < mel) j++;
    // edges[j] < mel ≤ edges[j + 1]: only bands j − 1 (upper slope) and j (lower slope) can be nonzero.
    lowerBand[k] = j - 1;
    lowerWeight[k] = weight(j - 1, mel);
    upperWeight[k] = weight(j, mel);
    for (const [band, w] of [
      [j - 1, lowerWeight[k]],
      [j, upperWeight[k]],
    ]) {
      if (w > 0) {
        binsPerBand[band]++;
        minBin = Math.min(minBin, k);
        maxBin = Math.max(maxBin, k + 1);
      }
    }
  }
  maxBin = Math.max(minBin, maxBin);
  return {
    bands: p.melBands,
    minBin,
    maxBin,
    lowerBand: Array.from(lowerBand.subarray(minBin, maxBin)),
    lowerWeight: toDoubleArray(lowerWeight.subarray(minBin, maxBin)),
    upperWeight: toDoubleArray(upperWeight.subarray(minBin, maxBin)),
    binsPerBand,
  };
}

/**
 * Mel energies of the magnitudes |X[k]| (indexed by bin): band b's sum goes to acc[b + 1], and
 * acc.length must be bands + 2 (acc[0] and acc[bands + 1] absorb the zero-weight neighbours of the
 * edge bands, so the loop needs no bounds tests).
 */
export function applyMelFilterbank(fb: MelFilterbank, magnitudes: readonly number[], acc: number[]): void {
  const { minBin, lowerBand, lowerWeight, upperWeight } = fb;
  acc.fill(0);
  // Consecutive bins update the same bands, so a single sweep would be one long chain of dependent
  // read-modify-writes; sweeping both halves of the bins at once gives the CPU two chains to overlap.
  const n = lowerBand.length;
  const h = n >> 1;
  for (let i = 0; i < h; i++) {
    const j = i + h;
    const mi = magnitudes[minBin + i];
    const mj = magnitudes[minBin + j];
    const bi = lowerBand[i] + 1;
    const bj = lowerBand[j] + 1;
    acc[bi] += lowerWeight[i] * mi;
    acc[bj] += lowerWeight[j] * mj;
    acc[bi + 1] += upperWeight[i] * mi;
    acc[bj + 1] += upperWeight[j] * mj;
  }
  if (n & 1) {
    const m = magnitudes[minBin + n - 1];
    const b = lowerBand[n - 1] + 1;
    acc[b] += lowerWeight[n - 1] * m;
    acc[b + 1] += upperWeight[n - 1] * m;
  }
}
