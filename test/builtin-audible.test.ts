/**
 * Each task's label must be audible. These checks measure rendered audio with float64 signal
 * analysis written here (YIN pitch, FFT spectra), independent of the generator's code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSuitePlan, renderBuiltinClip, type BuiltinClipRef } from '../src/data/builtin/index.js';
import { SPEAKERS } from '../src/data/builtin/tasks/speaker.js';

const SR = 16000;
const SEED = 3;
const { clips } = builtinSuitePlan({ seed: SEED, clipsPerTask: 96 });
const ofTask = (task: string): BuiltinClipRef[] => clips.filter((c) => c.task === task);
const render = (ref: BuiltinClipRef): Float64Array =>
  Float64Array.from(renderBuiltinClip(ref, { seed: SEED }));

/**
 * YIN (de Cheveigné & Kawahara 2002): cumulative-mean-normalised difference, absolute threshold,
 * parabolic refinement. Returns the f0 in Hz of each frame judged periodic.
 */
function yinFrames(x: Float64Array, fmin: number, fmax: number, threshold = 0.15): number[] {
  const W = 512;
  const tauMin = Math.floor(SR / fmax);
  const tauMax = Math.ceil(SR / fmin);
  const out: number[] = [];
  const d = new Float64Array(tauMax + 2);
  for (let start = 0; start + W + tauMax + 1 < x.length; start += 1024) {
    d.fill(0);
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      let s = 0;
      for (let j = 0; j < W; j++) {
        const diff = x[start + j] - x[start + j + tau];
        s += diff * diff;
      }
      d[tau] = s;
    }
    let running = 0;
    const cm = new Float64Array(tauMax + 2);
    cm[0] = 1;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      running += d[tau];
      cm[tau] = running > 0 ? (d[tau] * tau) / running : 1;
    }
    for (let tau = tauMin; tau <= tauMax; tau++) {
      if (cm[tau] < threshold) {
        while (tau + 1 <= tauMax && cm[tau + 1] < cm[tau]) tau++;
        const [a, b, c] = [cm[tau - 1], cm[tau], cm[tau + 1]];
        const shift = (a - c) / (2 * (a - 2 * b + c)) || 0;
        out.push(SR / (tau + Math.max(-1, Math.min(1, shift))));
        break;
      }
    }
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
};

/** In-place iterative radix-2 FFT on float64 re/im arrays. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const ur = re[i + k];
        const ui = im[i + k];
        const vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
        const vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
        re[i + k] = ur + vr;
        im[i + k] = ui + vi;
        re[i + k + len / 2] = ur - vr;
        im[i + k + len / 2] = ui - vi;
      }
    }
  }
}

/** Hann-windowed 512-point power spectra, hop 256. */
function powerFrames(x: Float64Array): Float64Array[] {
  const N = 512;
  const frames: Float64Array[] = [];
  for (let s = 0; s + N <= x.length; s += 256) {
    const re = new Float64Array(N);
    const im = new Float64Array(N);
    for (let i = 0; i < N; i++) re[i] = x[s + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
    fft(re, im);
    const p = new Float64Array(N / 2 + 1);
    for (let k = 0; k <= N / 2; k++) p[k] = re[k] * re[k] + im[k] * im[k] + 1e-20;
    frames.push(p);
  }
  return frames;
}

const bin = (hz: number): number => Math.round((hz * 512) / SR);

/**
 * Pitch by subharmonic summation (Hermes 1988) over a Welch-averaged 4096-point spectrum: the
 * candidate whose first eight harmonics (weights 0.84^(h-1)) carry the most log-compressed power.
 * Unlike autocorrelation it survives a weak fundamental, as on organs and under a mic's low cut.
 */
function pitchBySubharmonicSummation(x: Float64Array, fmin: number, fmax: number): number {
  const N = 4096;
  const avg = new Float64Array(N / 2 + 1);
  for (let s = 0; s + N <= x.length; s += N / 2) {
    const re = new Float64Array(N);
    const im = new Float64Array(N);
    for (let i = 0; i < N; i++) re[i] = x[s + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
    fft(re, im);
    for (let k = 0; k <= N / 2; k++) avg[k] += re[k] * re[k] + im[k] * im[k];
  }
  const floor = median(Array.from(avg)) + 1e-30;
  const level = (hz: number): number => {
    const k = Math.round((hz * N) / SR);
    return k + 1 < avg.length ? Math.log1p(Math.max(avg[k - 1], avg[k], avg[k + 1]) / floor) : 0;
  };
  let best = fmin;
  let bestScore = -Infinity;
  for (let f = fmin; f <= fmax; f *= 2 ** (1 / 120)) {
    let score = 0;
    for (let h = 1; h <= 8; h++) score += 0.84 ** (h - 1) * level(h * f);
    if (score > bestScore) [best, bestScore] = [f, score];
  }
  return best;
}

test('pitch: the measured fundamental matches the label semitone', () => {
  const refs = ofTask('pitch');
  const errors = refs.map((ref) => {
    const f0 = pitchBySubharmonicSummation(render(ref), 110, 600);
    // Class k is MIDI note 48 + k (C3 upward); A4 = MIDI 69 = 440 Hz.
    const expected = 440 * 2 ** ((48 + ref.label - 69) / 12);
    return Math.abs(12 * Math.log2(f0 / expected));
  });
  const within = errors.filter((e) => e < 0.6).length;
  // Detuning is at most 0.2 semitones; a few clips at 0 dB SNR may fool any pitch tracker.
  assert.ok(
    within >= 0.85 * refs.length,
    `${within}/${refs.length} within 0.6 semitones: ${errors.map((e) => e.toFixed(2))}`,
  );
  assert.ok(median(errors) < 0.25, `median error ${median(errors).toFixed(3)} semitones`);
});

test('smn: the noise class has flatter spectra than the music class', () => {
  const flatness = (ref: BuiltinClipRef): number => {
    const vals = powerFrames(render(ref)).map((p) => {
      let logSum = 0;
      let sum = 0;
      const lo = bin(200);
      const hi = bin(3500);
      for (let k = lo; k <= hi; k++) {
        logSum += Math.log(p[k]);
        sum += p[k];
      }
      const n = hi - lo + 1;
      return Math.exp(logSum / n) / (sum / n);
    });
    return median(vals);
  };
  const refs = ofTask('smn').slice(0, 60);
  const music = refs.filter((r) => r.label === 1).map(flatness);
  const noise = refs.filter((r) => r.label === 2).map(flatness);
  assert.ok(
    median(noise) > 2 * median(music),
    `noise ${median(noise).toFixed(4)} vs music ${median(music).toFixed(4)}`,
  );
  const musicBelowNoiseMedian = music.filter((m) => m < median(noise)).length;
  assert.ok(musicBelowNoiseMedian >= 0.8 * music.length, `${musicBelowNoiseMedian}/${music.length}`);
});

test('speaker: measured mean f0 follows each voice profile', () => {
  const refs = ofTask('speaker');
  const measured = SPEAKERS.map((_, s) =>
    median(
      refs
        .filter((r) => r.label === s)
        .slice(0, 5)
        .flatMap((r) => yinFrames(render(r), 60, 500)),
    ),
  );
  SPEAKERS.forEach((v, s) => {
    const ratio = measured[s] / v.f0;
    assert.ok(
      ratio > 0.8 && ratio < 1.25,
      `spk${s}: measured ${measured[s].toFixed(1)} Hz, profile ${v.f0} Hz`,
    );
  });
  // Profiles more than 15% apart in f0 must measure in the same order.
  for (let a = 0; a < SPEAKERS.length; a++) {
    for (let b = 0; b < SPEAKERS.length; b++) {
      if (SPEAKERS[a].f0 > 1.15 * SPEAKERS[b].f0) {
        assert.ok(
          measured[a] > measured[b],
          `spk${a} (${measured[a].toFixed(0)}) vs spk${b} (${measured[b].toFixed(0)})`,
        );
      }
    }
  }
});

test('bird: clips with birds have more tonal energy in the song band than clips without', () => {
  // Per frame: the strongest 1.8–7.6 kHz bin over the band's median bin (a narrowband chirp stands out).
  const tonality = (ref: BuiltinClipRef): number => {
    const frames = powerFrames(render(ref)).map((p) => {
      const band = Array.from(p.subarray(bin(1800), bin(7600)));
      return Math.log10(Math.max(...band) / median(band));
    });
    return frames.sort((a, b) => a - b)[Math.floor(0.9 * frames.length)];
  };
  const refs = ofTask('bird').slice(0, 60);
  const present = refs.filter((r) => r.label === 1).map(tonality);
  const absent = refs.filter((r) => r.label === 0).map(tonality);
  assert.ok(
    median(present) > median(absent) + 0.3,
    `present ${median(present).toFixed(2)} vs absent ${median(absent).toFixed(2)}`,
  );
});
