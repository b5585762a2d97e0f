/**
 * Acoustic scenes, used as the scene task's classes, as bird-task backgrounds, as the noise class
 * of speech/music/noise, and as background noise for every other task. A Location is one
 * "recording place": its parameters stay fixed for every clip recorded there, so holding out
 * locations tests generalisation to new places, as the TUT scene split does.
 */
import type { Rng } from '../../common/index.js';
import {
  Biquad,
  Noise,
  SAMPLE_RATE,
  addDampedSine,
  addInto,
  brownNoise,
  highpass1,
  lowpass1,
  pinkNoise,
  reverb,
  scale,
  seconds,
  setRms,
  sinCycles,
  smoothRandom,
  whiteNoise,
} from './dsp.js';
import { LANGUAGES, utterance } from './languages.js';
import { randomVoice, renderSpeech } from './speech.js';

export const SCENES = ['street', 'rain', 'babble', 'wind', 'machinery', 'water', 'office'] as const;
export type Scene = (typeof SCENES)[number];

/** One recording place: a scene and eight numbers in [0, 1) that each scene reads in its own way. */
export interface Location {
  scene: Scene;
  p: number[];
}

export function randomLocation(scene: Scene, rng: Rng): Location {
  return { scene, p: Array.from({ length: 8 }, () => rng.next()) };
}

/** Traffic: low rumble plus passing vehicles (engine harmonics, tyre noise, Doppler), rare horns. */
function street(p: number[], n: number, rng: Rng): Float32Array {
  const [traffic, distance, horn] = p;
  const out = setRms(lowpass1(brownNoise(rng, n), 250), 0.3 + 0.3 * distance);
  const tyres = new Float32Array(n);
  const vehicles = 1 + Math.floor(traffic * 4) + rng.int(2);
  for (let v = 0; v < vehicles; v++) {
    const centre = seconds(rng.uniform(-0.8, n / SAMPLE_RATE + 0.8));
    const width = seconds(rng.uniform(0.4, 1.5));
    const f = rng.uniform(25, 70);
    const level = rng.uniform(0.3, 1) * (1.2 - distance);
    // Beyond three widths from its closest point a vehicle is more than 78 dB down: skip it there.
    const from = Math.max(0, Math.floor(centre - 3 * width));
    const to = Math.min(n, Math.ceil(centre + 3 * width));
    let ph = 0;
    let env = 0;
    let step = 0;
    for (let i = from; i < to; i++) {
      if ((i - from) % 32 === 0) {
        env = level * Math.exp(-(((i - centre) / width) ** 2));
        // Doppler: the engine pitch drops as the vehicle passes the microphone.
        step = (f * (1 + 0.04 * Math.tanh((centre - i) / width))) / SAMPLE_RATE;
      }
      ph += step;
      const s = sinCycles(ph) + 0.5 * sinCycles(2 * ph) + 0.3 * sinCycles(3 * ph) + 0.2 * sinCycles(5 * ph);
      out[i] += env * 0.5 * s;
      tyres[i] += env;
    }
  }
  const hiss = pinkNoise(rng, n);
  for (let i = 0; i < n; i++) hiss[i] *= tyres[i];
  addInto(out, new Biquad('bandpass', 900 + 1500 * (1 - distance), 0.7).run(hiss), 0, 2);
  if (rng.next() < 0.25 * horn) {
    const start = rng.int(Math.max(1, n - seconds(0.4)));
    const len = Math.min(n - start, seconds(rng.uniform(0.2, 0.6)));
    const f = rng.uniform(350, 500);
    for (let i = 0; i < len; i++) {
      const ph = (i * f) / SAMPLE_RATE;
      out[start + i] += 0.4 * (sinCycles(ph) + sinCycles(1.26 * ph) + 0.3 * sinCycles(3 * ph));
    }
  }
  return out;
}

/** Rain: broadband hiss plus many droplet impacts, each a short damped resonance. */
function rain(p: number[], n: number, rng: Rng): Float32Array {
  const [intensity, surface] = p;
  const out = setRms(highpass1(pinkNoise(rng, n), 600 + 1500 * surface), 0.2 + 0.4 * intensity);
  const drops = Math.round(((60 + 400 * intensity) * n) / SAMPLE_RATE);
  const lo = 400 + 2500 * surface;
  for (let d = 0; d < drops; d++) {
    const f = lo * rng.uniform(1, 3);
    addDampedSine(out, rng.int(n), f, rng.uniform(0.002, 0.01), rng.uniform(0.05, 1) ** 2 * 2, 0.04);
  }
  return out;
}

/** Crowd babble: several distant talkers in several languages, in a reverberant room. */
export function babble(p: number[], n: number, rng: Rng, talkers?: number): Float32Array {
  const [crowd, distance, room] = p;
  const out = new Float32Array(n);
  const count = talkers ?? 3 + Math.floor(crowd * 6);
  for (let v = 0; v < count; v++) {
    const voice = randomVoice(rng);
    const lang = LANGUAGES[rng.int(LANGUAGES.length)];
    const speech = renderSpeech(utterance(lang, rng, n / SAMPLE_RATE + 0.3, voice), voice, rng);
    addInto(out, setRms(speech, rng.uniform(0.4, 1)), -rng.int(seconds(0.3)));
  }
  lowpass1(out, 2500 + 3000 * (1 - distance));
  return reverb(out, 0.4 + 0.8 * room, 0.3 + 0.3 * room);
}

/** Wind: noise whose level and brightness follow random gusts, with buffeting and, in places, a whistle. */
function wind(p: number[], n: number, rng: Rng): Float32Array {
  const [gustiness, whistle, buffet] = p;
  const gust = smoothRandom(rng, n, 0.25 + 0.8 * (1 - gustiness));
  const src = new Noise(rng);
  const out = new Float32Array(n);
  const whistleBand = new Biquad();
  const wf = 400 + 900 * rng.next();
  let y = 0;
  let a = 0;
  for (let i = 0; i < n; i++) {
    const e = 0.15 + gust[i] * gust[i] * (0.5 + gustiness);
    if ((i & 31) === 0) {
      a = 1 - Math.exp((-2 * Math.PI * (150 + 1600 * e)) / SAMPLE_RATE);
      if (whistle > 0.6) whistleBand.set('bandpass', wf * (0.8 + 0.4 * e), 40);
    }
    const w = src.next();
    y += a * (w - y);
    let s = y * e;
    if (whistle > 0.6) s += whistleBand.step(w) * e * e * 3;
    out[i] = s;
  }
  const rumble = lowpass1(brownNoise(rng, n), 120);
  for (let i = 0; i < n; i++) out[i] += rumble[i] * gust[i] ** 3 * buffet * 3;
  return out;
}

/** Machinery: mains hum with harmonics, a motor whine, periodic mechanical impacts, a noise floor. */
function machinery(p: number[], n: number, rng: Rng): Float32Array {
  const [mains, motor, impacts, load, floor] = p;
  const out = scale(lowpass1(pinkNoise(rng, n), 2000), 0.5 + floor);
  const hz = mains < 0.5 ? 50 : 60;
  const fm = 200 + 2300 * motor;
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    let hum = 0;
    for (let k = 1; k <= 9; k += 1) hum += (k % 2 === 1 ? 1 : 0.35) * sinCycles(k * hz * t) * (1 / k);
    const whine = sinCycles(fm * t * (1 + 0.002 * sinCycles(3 * t))) + 0.4 * sinCycles(2 * fm * t);
    out[i] += 0.6 * hum + 0.25 * load * whine;
  }
  const period = seconds(0.08 + 0.4 * impacts);
  const ring = 600 + 2500 * rng.next();
  for (let t = rng.int(period); t < n; t += period) {
    addDampedSine(out, t, ring, 0.015, 1.5 * impacts, 0.1);
    addDampedSine(out, t, 90, 0.03, 1.5 * impacts, 0.15);
  }
  return out;
}

/** Running water: gurgling filtered noise plus rising Minnaert bubble resonances (Minnaert 1933). */
function water(p: number[], n: number, rng: Rng): Float32Array {
  const [flow, bubbleRate, size] = p;
  const out = lowpass1(pinkNoise(rng, n), 1200 + 3000 * flow);
  const gurgle = smoothRandom(rng, n, 0.03);
  for (let i = 0; i < n; i++) out[i] *= 0.3 + gurgle[i];
  const count = Math.round(((30 + 250 * bubbleRate) * n) / SAMPLE_RATE);
  for (let b = 0; b < count; b++) {
    const start = rng.int(n);
    const f0 = (300 + 2200 * size) * rng.uniform(0.6, 1.6);
    const tau = rng.uniform(0.005, 0.025);
    const len = Math.min(n - start, seconds(4 * tau));
    const decay = Math.exp(-1 / (tau * SAMPLE_RATE));
    // A bubble near the surface: its resonance rises as it rings down (0.2·f0 per time constant).
    const chirp = (0.2 * f0) / (tau * SAMPLE_RATE * SAMPLE_RATE);
    let amp = rng.uniform(0.1, 1) * 1.5;
    let ph = 0;
    for (let i = 0; i < len; i++) {
      ph += f0 / SAMPLE_RATE + chirp * i;
      out[start + i] += amp * sinCycles(ph);
      amp *= decay;
    }
  }
  return out;
}

/** Office: quiet room tone and ventilation, typing bursts, sometimes distant talk or a phone. */
function office(p: number[], n: number, rng: Rng): Float32Array {
  const [hvac, typing, talk, phone] = p;
  const out = setRms(new Biquad('bandpass', 150 + 250 * hvac, 0.8).run(pinkNoise(rng, n)), 0.1 + 0.2 * hvac);
  addInto(out, lowpass1(whiteNoise(rng, n), 500), 0, 0.05);
  const src = new Noise(rng);
  if (typing > 0.25) {
    let t = rng.int(seconds(0.3));
    while (t < n) {
      const click = seconds(0.004);
      const f = rng.uniform(1500, 4500);
      for (let i = 0; i < click && t + i < n; i++) out[t + i] += src.next() * 0.6 * (1 - i / click);
      addDampedSine(out, t, f, 0.003, rng.uniform(0.3, 0.8), 0.02);
      t += seconds(rng.next() < 0.1 ? rng.uniform(0.3, 0.8) : rng.uniform(0.08, 0.2));
    }
  }
  if (talk > 0.5) {
    const voice = randomVoice(rng);
    const lang = LANGUAGES[rng.int(LANGUAGES.length)];
    const speech = renderSpeech(utterance(lang, rng, n / SAMPLE_RATE, voice), voice, rng);
    addInto(out, reverb(lowpass1(setRms(speech, 0.15 * talk), 2500), 0.6, 0.5), rng.int(seconds(0.5)));
  }
  if (rng.next() < 0.3 * phone) {
    const start = rng.int(n);
    const len = Math.min(n - start, seconds(0.5));
    for (let i = 0; i < len; i++) {
      const t = i / SAMPLE_RATE;
      out[start + i] += 0.2 * (sinCycles(1000 * t) + sinCycles(1250 * t)) * (Math.floor(t * 20) % 2);
    }
  }
  return out;
}

const RENDER: Record<Scene, (p: number[], n: number, rng: Rng) => Float32Array> = {
  street,
  rain,
  babble,
  wind,
  machinery,
  water,
  office,
};

/** n samples of the location's scene; the level is arbitrary (callers set it). */
export function renderScene(loc: Location, n: number, rng: Rng): Float32Array {
  return RENDER[loc.scene](loc.p, n, rng);
}

/**
 * Background noise for any task: a random scene at a random place, or coloured noise. Babble is
 * left out of speech tasks' backgrounds (it would be a second talker), and kept rare elsewhere.
 */
export function randomBackground(n: number, rng: Rng, allowBabble: boolean): Float32Array {
  const u = rng.next();
  if (u < 0.12) return whiteNoise(rng, n);
  if (u < 0.27) return pinkNoise(rng, n);
  if (u < 0.35) return brownNoise(rng, n);
  const withBabble = allowBabble && rng.next() < 0.3;
  const choices = SCENES.filter((s) => s !== 'babble' || withBabble);
  const loc = randomLocation(choices[rng.int(choices.length)], rng);
  return loc.scene === 'babble' ? babble(loc.p, n, rng, 3) : renderScene(loc, n, rng);
}
