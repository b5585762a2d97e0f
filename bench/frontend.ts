/**
 * Log-mel front-end throughput on one core (not a test), in multiples of real time, against Meyda
 * (npm) as the peer, measured in the same run on the same audio.
 *
 * Audio: the first 10 s of the speech-commands-mini clips (16 kHz, real speech), concatenated.
 * Ours: LogMelExtractor.compute over the whole 10 s, and LogMelStream fed 100 ms chunks.
 * Meyda: its closest configuration to our 64 bands (bufferSize 512, melBands 64, sampleRate 16000,
 * its default Hann window), fed the same 400-sample, hop-160 frames zero-padded to 512. Meyda's mel
 * filterbank and log differ from tf.signal's, so this compares speed for the same work, not values.
 * Each figure is the median of several runs after warm-up. JavaScript runs this on one thread; CPU
 * time is printed beside wall time, since on a shared machine it is the steadier figure.
 *
 *   npm run bench:frontend -- [--runs 21]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import meydaModule from 'meyda';
import { DEFAULT_FRONTEND, LogMelExtractor, LogMelStream, loadAudio } from '../src/audio/index.js';
import { median } from './median.js';

// meyda is CommonJS (module.exports = Meyda) with ES-module typings: at run time the default import
// is Meyda itself, while NodeNext types it as the module object.
const Meyda = meydaModule as unknown as typeof meydaModule.default;

const SECONDS = 10;
const RATE = DEFAULT_FRONTEND.sampleRate;
const TARGET = 2000;
const DATA = fileURLToPath(
  new URL('../../shared/data/speech-commands-mini/speech_commands_v0.01/', import.meta.url),
);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function tenSecondsOfSpeech(): Promise<Float32Array> {
  const out = new Float32Array(SECONDS * RATE);
  let filled = 0;
  const words = readdirSync(DATA, { withFileTypes: true }).filter((d) => d.isDirectory());
  for (const word of words.map((d) => d.name).sort()) {
    for (const file of readdirSync(join(DATA, word)).sort()) {
      const x = await loadAudio(join(DATA, word, file));
      out.set(x.subarray(0, out.length - filled), filled);
      filled += Math.min(x.length, out.length - filled);
      if (filled === out.length) return out;
    }
  }
  throw new Error(`only ${filled / RATE} s of audio under ${DATA}`);
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function measure(runs: number, warmup: number, fn: () => void): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

const runs = arg('--runs', 21);
const audio = await tenSecondsOfSpeech();
const { windowSamples, hopSamples, melBands } = DEFAULT_FRONTEND;
const frames = 1 + Math.floor((audio.length - windowSamples) / hopSamples);

const extractor = new LogMelExtractor();
const batch = measure(runs, 10, () => extractor.compute(audio));

const CHUNK = RATE / 10;
const stream = measure(runs, 10, () => {
  const s = new LogMelStream();
  for (let o = 0; o < audio.length; o += CHUNK) s.push(audio.subarray(o, o + CHUNK));
  s.end();
});

Meyda.bufferSize = 512;
Meyda.sampleRate = RATE;
Meyda.melBands = melBands;
const padded = new Float32Array(512);
const meyda = measure(Math.max(3, Math.ceil(runs / 3)), 2, () => {
  for (let t = 0; t < frames; t++) {
    padded.fill(0);
    padded.set(audio.subarray(t * hopSamples, t * hopSamples + windowSamples));
    Meyda.extract('melBands', padded);
  }
});

const realTime = (ms: number) => (SECONDS * 1000) / ms;
const row = (name: string, t: Timing) =>
  `${name.padEnd(28)}${t.wallMs.toFixed(2).padStart(9)} ms${realTime(t.wallMs).toFixed(0).padStart(9)}×` +
  `${t.cpuMs.toFixed(2).padStart(12)} ms${realTime(t.cpuMs).toFixed(0).padStart(9)}×`;

console.log(`log-mel front end: ${SECONDS} s of speech at ${RATE} Hz, ${frames} frames × ${melBands} bands`);
console.log(`median of ${runs} runs (Meyda: ${Math.max(3, Math.ceil(runs / 3))}), one thread`);
console.log(
  `${''.padEnd(28)}${'wall'.padStart(12)}${'real time'.padStart(10)}${'cpu'.padStart(15)}${'real time'.padStart(10)}`,
);
console.log(row('mta LogMelExtractor (batch)', batch));
console.log(row('mta LogMelStream (100 ms)', stream));
console.log(row('Meyda 5 melBands (peer)', meyda));
console.log(
  `ratio vs Meyda: batch ${(meyda.wallMs / batch.wallMs).toFixed(1)}× faster (cpu ${(meyda.cpuMs / batch.cpuMs).toFixed(1)}×), ` +
    `stream ${(meyda.wallMs / stream.wallMs).toFixed(1)}× faster`,
);
const verdict = (ms: number) => `${realTime(ms).toFixed(0)}× (${realTime(ms) >= TARGET ? 'met' : 'not met'})`;
console.log(
  `target ≥ ${TARGET}× real time (batch): wall ${verdict(batch.wallMs)}, CPU ${verdict(batch.cpuMs)}`,
);
