/**
 * Inference benchmark (not a test): a pruned default-size model (8 tasks of the built-in suite,
 * encoder width 1 = channels 8…256, adapters of mixed widths, one task without adapter), all tasks,
 * through our runtime and, in the same run, through onnxruntime-node on our ONNX export of the same
 * model; prints per-patch latency, throughput and the ratio against onnxruntime.
 * Also: end-to-end real-time factor from files (decode → resample → log-mel → all tasks), the live
 * stream at 44.1 kHz in 20 ms chunks, the model file and ONNX sizes, and the browser bundle size
 * (build/web/bundle-size.json, written by `npm run build:web`).
 *
 * Threads: one runtime runs on one thread; on 2 threads, as a Node service would scale it, one
 * model per worker thread (bench/runtime-threads.ts), against onnxruntime's 2 intra-op threads.
 * Kernels: relaxed SIMD (fused multiply-add; the engine's default wherever the runtime can, on Node
 * 20 by turning on V8's flag), and plain SIMD for comparison. Each figure is the median of several
 * timed runs after warm-up; CPU time is printed for ours since the machine is shared.
 *
 *   npm run bench:infer -- [--runs 9] [--batch 32] [--rounds 5]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/common/index.js';
import {
  decodeAudio,
  downmix,
  DEFAULT_FRONTEND,
  loadAudio,
  readAudioFile,
  type Patches,
} from '../src/audio/index.js';
import { decodeModelFile, encodeModelFile, encodeOnnx } from '../src/io/index.js';
import { buildModelConfig, exactCost, type AdapterWidth, type ModelConfig } from '../src/model/index.js';
import { enableRelaxedSimd } from '../src/engine/index.js';
import { loadModel } from '../src/runtime/index.js';
import {
  measureOnnxRuntimeDetailed,
  randomWeights,
  type OnnxRuntimeMeasurement,
} from './peers/onnxruntime.js';
import { measureRuntimeThreads } from './runtime-threads.js';
import { median } from './median.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(ROOT, '..', 'shared', 'data');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Per task: classes, and the alive fraction of each block's adapter (0 = no adapter there). */
const TASKS: [string, number, number[]][] = [
  ['smn', 3, [0, 0, 0, 0, 0, 0]],
  ['bird', 2, [0, 0, 0, 0, 1 / 16, 1 / 16]],
  ['scene', 7, [0, 0, 0, 1 / 8, 1 / 8, 1 / 8]],
  ['keyword', 11, [0, 0, 1 / 4, 1 / 4, 1 / 4, 1 / 8]],
  ['language', 6, [0, 0, 0, 1 / 4, 1 / 4, 1 / 4]],
  ['speaker', 10, [1 / 4, 1 / 4, 1 / 4, 1 / 4, 1 / 8, 1 / 8]],
  ['instrument', 8, [0, 0, 0, 0, 1 / 8, 1 / 4]],
  ['pitch', 24, [1 / 2, 1 / 4, 1 / 4, 1 / 8, 1 / 8, 1 / 16]],
];

function prunedDefaultConfig(): ModelConfig {
  const full = buildModelConfig({
    tasks: TASKS.map(([name, k]) => ({ name, classes: Array.from({ length: k }, (_, i) => `${name}${i}`) })),
  });
  return buildModelConfig({
    tasks: TASKS.map(([name, k, fractions]) => ({
      name,
      classes: Array.from({ length: k }, (_, i) => `${name}${i}`),
      adapter: fractions.map((f, l): AdapterWidth => {
        const w = Math.round(f * full.blocks[l].encoderWidth);
        return { time: w, freq: w };
      }),
    })),
  });
}

function randomPatches(count: number, seed: number): Patches {
  const { patchFrames: frames, melBands: bands } = DEFAULT_FRONTEND;
  const rng = new Rng(seed);
  const data = Float32Array.from({ length: count * frames * bands }, () => rng.normal() * 2 - 3);
  return { count, frames, bands, data };
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function measure(runs: number, warmup: number, fn: () => unknown): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

const runs = arg('--runs', 9);
const batch = arg('--batch', 32);
const config = prunedDefaultConfig();
const cost = exactCost(config);
const weights = await randomWeights(config, 7);
const modelBytes = encodeModelFile({
  frontend: DEFAULT_FRONTEND,
  model: config,
  weights,
  info: { bench: 'infer' },
});
const onnxBytes = encodeOnnx(decodeModelFile(modelBytes, 'bench'));
const relaxed = await enableRelaxedSimd();
const plain = await loadModel(modelBytes, { batch, relaxedSimd: false });
const model = relaxed ? await loadModel(modelBytes, { batch, relaxedSimd: true }) : plain;
const kernels = relaxed ? 'relaxed SIMD' : 'plain SIMD';

console.log(
  `model: ${TASKS.length} tasks, encoder 8…256, ${cost.total.params.toLocaleString('en')} params, ` +
    `${(cost.total.macs / 1e6).toFixed(2)} M MACs per patch (shared ${(cost.shared.macs / 1e6).toFixed(2)} M)`,
);
console.log(
  `  adapters per task (MACs): ` +
    TASKS.map(([name]) => `${name} ${(cost.tasks[name].macs / 1e6).toFixed(2)} M`).join(', '),
);
console.log(
  `model file ${(modelBytes.length / 1024).toFixed(1)} KiB, ONNX ${(onnxBytes.length / 1024).toFixed(1)} KiB`,
);
console.log(`median of ${runs} runs\n`);

// Throughput: `batch`·8 patches per call, all tasks. Latency: one patch, all tasks. Ours and the peer
// alternate over several rounds so that a change in the machine's load hits both; medians are shown.
const many = randomPatches(batch * 8, 1);
const one = randomPatches(1, 2);
const rounds = arg('--rounds', 5);
const r = {
  plain: [] as Timing[],
  ours: [] as Timing[],
  oursOne: [] as Timing[],
  ort1: [] as OnnxRuntimeMeasurement[],
};
const r2: OnnxRuntimeMeasurement[] = [];
const rOne: OnnxRuntimeMeasurement[] = [];
const ours2: number[] = [];
const batchPatches = { ...many, count: batch, data: many.data.subarray(0, batch * many.frames * many.bands) };
for (let k = 0; k < rounds; k++) {
  if (relaxed) r.plain.push(await measure(runs, 2, () => plain.predictPatches(many)));
  r.ours.push(await measure(runs, 2, () => model.predictPatches(many)));
  r.oursOne.push(await measure(runs * 3, 5, () => model.predictPatches(one)));
  r.ort1.push(await measureOnnxRuntimeDetailed({ modelBytes: onnxBytes, batch, threads: 1, runs }));
  ours2.push(
    await measureRuntimeThreads({
      modelBytes,
      patches: batchPatches,
      threads: 2,
      relaxedSimd: relaxed,
      ms: 2000,
    }),
  );
  r2.push(await measureOnnxRuntimeDetailed({ modelBytes: onnxBytes, batch, threads: 2, runs }));
  rOne.push(
    await measureOnnxRuntimeDetailed({ modelBytes: onnxBytes, batch: 1, threads: 1, runs: runs * 3 }),
  );
}
const rates = (ts: Timing[]) => ({
  perSec: median(ts.map((t) => (many.count * 1000) / t.wallMs)),
  perCpuSec: median(ts.map((t) => (many.count * 1000) / t.cpuMs)),
});
const ours = { ...rates(r.ours), latencyMs: median(r.oursOne.map((t) => t.wallMs)) };
const ort1 = {
  perSec: median(r.ort1.map((m) => m.examplesPerSec)),
  perCpuSec: median(r.ort1.map((m) => m.examplesPerCpuSec)),
  latencyMs: median(rOne.map((m) => m.msPerRun)),
};
const ort2 = {
  perSec: median(r2.map((m) => m.examplesPerSec)),
  perCpuSec: median(r2.map((m) => m.examplesPerCpuSec)),
};
const threads2 = median(ours2);

const row = (name: string, perSec: number, perCpuSec?: number, latencyMs?: number) =>
  `${name.padEnd(44)}${perSec.toFixed(0).padStart(7)}${(perCpuSec?.toFixed(0) ?? '—').padStart(12)}` +
  (latencyMs === undefined ? '' : `${latencyMs.toFixed(2).padStart(14)} ms`);
console.log(
  `throughput at batch ${batch}, all ${TASKS.length} tasks, median of ${rounds} alternating rounds`,
);
console.log(
  `${''.padEnd(44)}${'patch/s'.padStart(7)}${'per CPU-s'.padStart(12)}${'batch-1 latency'.padStart(17)}`,
);
if (relaxed) {
  const p = rates(r.plain);
  console.log(row('mta runtime, 1 thread, plain SIMD', p.perSec, p.perCpuSec));
}
console.log(row(`mta runtime, 1 thread, ${kernels}`, ours.perSec, ours.perCpuSec, ours.latencyMs));
console.log(row(`mta runtime, 2 threads (a model each), ${kernels}`, threads2));
console.log(row('onnxruntime-node 1.30, 1 thread (peer)', ort1.perSec, ort1.perCpuSec, ort1.latencyMs));
console.log(row('onnxruntime-node 1.30, 2 threads (peer)', ort2.perSec, ort2.perCpuSec));
const ratios = r.ours.map((t, k) => (many.count * 1000) / t.cpuMs / r.ort1[k].examplesPerCpuSec);
const wallRatios = r.ours.map((t, k) => (many.count * 1000) / t.wallMs / r.ort1[k].examplesPerSec);
console.log(
  `ratio vs onnxruntime-node at 1 thread each: ${median(wallRatios).toFixed(2)}× by wall time, ` +
    `${median(ratios).toFixed(2)}× per CPU second (median of the rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')}); ` +
    `at 2 threads each ${median(ours2.map((v, k) => v / r2[k].examplesPerSec)).toFixed(2)}× by wall time; ` +
    `batch-1 latency ${(ort1.latencyMs / ours.latencyMs).toFixed(2)}× (target ≥ 1.0× per core)`,
);

// End to end from files: decode → mono → resample to 16 kHz → log-mel → patches → all tasks.
const files = [
  'esc10/001 - Dog bark/1-100032-A.ogg',
  'esc10/002 - Rain/1-17367-A.ogg',
  'fsdd/recordings/7_jackson_32.wav',
];
let audioSec = 0;
const e2e = await measure(3, 1, async () => {
  audioSec = 0;
  for (const f of files) {
    const audio = await loadAudio(join(DATA, f));
    audioSec += audio.length / 16000;
    await model.predict({ audio, sampleRate: 16000 });
  }
});
console.log(
  `\nend to end from files (${files.length} files, ${audioSec.toFixed(1)} s of audio): ` +
    `${(e2e.wallMs / 1000 / audioSec).toFixed(4)} real-time factor (${(audioSec / (e2e.wallMs / 1000)).toFixed(0)}× faster than real time)`,
);

// Live: the 44.1 kHz clip pushed in 20 ms chunks through the stream (resampler → log-mel → tasks).
const bytes = await readAudioFile(join(DATA, files[0]));
const decoded = await decodeAudio(bytes, files[0]);
const raw = downmix(decoded.channels);
const chunk = Math.round(decoded.sampleRate / 50);
const live = await measure(3, 1, () => {
  const s = model.stream({ sampleRate: decoded.sampleRate });
  for (let o = 0; o < raw.length; o += chunk) s.push(raw.subarray(o, o + chunk));
  s.end();
});
const liveSec = raw.length / decoded.sampleRate;
console.log(
  `live stream (${decoded.sampleRate} Hz, 20 ms chunks, ${liveSec.toFixed(1)} s): ` +
    `${(live.wallMs / 1000 / liveSec).toFixed(4)} real-time factor`,
);

const sizes = join(ROOT, 'build', 'web', 'bundle-size.json');
if (existsSync(sizes)) {
  const s = JSON.parse(readFileSync(sizes, 'utf8'));
  console.log(
    `browser bundle (${s.core.files.join(' + ')}): ${(s.core.gzipBytes / 1024).toFixed(1)} KiB gzipped ` +
      `(${(s.core.bytes / 1024).toFixed(1)} KiB raw; budget ${(s.budgetGzipBytes / 1024).toFixed(0)} KiB)`,
  );
} else {
  console.log('browser bundle: not built yet (npm run build:web)');
}
