// The engine benchmark (issue 3 §7): the reference encoder of DESIGN.md §1 with a 10-class head
// (396,626 params after folding, 10,177,024 MACs per example), batch 64.
//   ours: a training step (forward, backward, Adam) through the trainer's replicas, 1 and 2 threads
//         (data-parallel, gradients summed in a fixed order); inference through the runtime (BN
//         folded, fused conv kernels), 1 thread and 2 threads (one runtime per worker thread);
//   peers, in the same run: TensorFlow.js 4.22 on its wasm backend (inference and training),
//         onnxruntime-node on our ONNX export (inference, 1 and 2 intra-op threads, alternating
//         with ours over --rounds rounds), and the single-core GEMM rate of our conv kernel
//         against OpenBLAS's measured 92 GFLOP/s;
//   memory: RSS over --rss-steps training steps (default 1000), in a process of its own
//         (bench/engine-rss.ts), must stay under 300 MB and not grow.
// Kernels: training runs the engine's default (relaxed SIMD, fused multiply-add, wherever the runtime
// can: on Node 20 the engine turns on V8's flag); inference is measured with both builds.
//   npm run bench:engine [-- --runs 7 --rounds 5 --rss-steps 1000]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_FRONTEND } from '../src/audio/index.js';
import { createEngine, enableRelaxedSimd } from '../src/engine/index.js';
import { encodeModelFile } from '../src/io/index.js';
import { exactCost } from '../src/model/index.js';
import { loadModel } from '../src/runtime/index.js';
import { convRows, OPENBLAS_GFLOPS } from './gemm-lib.js';
import { measureOnnxRuntime, randomWeights, referenceEncoderOnnx } from './peers/onnxruntime.js';
import { measureTfjsWasm } from './peers/tfjs-encoder.js';
import { BATCH, B, config, F, MACS, trainGroup, trainStep, x } from './reference-encoder.js';
import { measureRuntimeThreads } from './runtime-threads.js';
import { median } from './median.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    rounds: { type: 'string', default: '5' },
    'rss-steps': { type: 'string', default: '1000' },
    'skip-tfjs': { type: 'boolean', default: false },
  },
});
const relaxed = await enableRelaxedSimd();
const RUNS = Number(values.runs);
const ROUNDS = Number(values.rounds);
const RSS_STEPS = Number(values['rss-steps']);

/** Median training examples/s over RUNS timed steps after 2 warm-up steps. */
async function measureTraining(threads: number): Promise<number> {
  const group = await trainGroup(threads);
  const rates: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    trainStep(group, i + 1);
    if (i >= 2) rates.push(BATCH / ((performance.now() - t0) / 1000));
  }
  await group.close();
  return median(rates);
}

const modelBytes = encodeModelFile({
  frontend: DEFAULT_FRONTEND,
  model: config,
  weights: await randomWeights(config, 1),
  info: {},
});
const patches = { count: BATCH, frames: F, bands: B, data: x };

async function measureInference1(relaxedSimd: boolean): Promise<number> {
  const model = await loadModel(modelBytes, { batch: BATCH, relaxedSimd });
  const rates: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    model.predictPatches(patches);
    if (i >= 2) rates.push(BATCH / ((performance.now() - t0) / 1000));
  }
  model.dispose();
  return median(rates);
}

/** Training RSS from a child process that loads nothing but the engine (bench/engine-rss.ts). */
function measureRss(): { first: number; last: number; max: number } {
  const script = fileURLToPath(new URL('./engine-rss.ts', import.meta.url));
  const run = spawnSync(process.execPath, [...process.execArgv, script, String(RSS_STEPS)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`bench/engine-rss.ts failed with status ${run.status}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as { first: number; last: number; max: number };
}

const fmt = (v: number): string => v.toFixed(0).padStart(7);
const gflops = (exPerSec: number, passes: number): string =>
  ((exPerSec * passes * MACS * 2) / 1e9).toFixed(1);

console.log(
  `reference encoder: ${exactCost(config).total.params} params (BN folded), ${MACS} MACs/example, batch ${BATCH}`,
);
const rss = measureRss();
const train1 = await measureTraining(1);
const train2 = await measureTraining(2);
// Inference: ours (both kernel builds) and onnxruntime alternate over ROUNDS rounds, so that a change
// in the machine's load (it is shared) hits all of them; each figure is the median over the rounds,
// and each ratio the median of the rounds' ratios.
const onnx = await referenceEncoderOnnx();
type Rates = { plain1: number; plain2: number; fma1?: number; fma2?: number; ort1: number; ort2: number };
const rounds: Rates[] = [];
for (let k = 0; k < ROUNDS; k++) {
  const threads2 = (relaxedSimd: boolean) =>
    measureRuntimeThreads({ modelBytes, patches, threads: 2, relaxedSimd, ms: 2000 });
  rounds.push({
    plain1: await measureInference1(false),
    fma1: relaxed ? await measureInference1(true) : undefined,
    ort1: await measureOnnxRuntime({ modelBytes: onnx, batch: BATCH, threads: 1, runs: RUNS }),
    plain2: await threads2(false),
    fma2: relaxed ? await threads2(true) : undefined,
    ort2: await measureOnnxRuntime({ modelBytes: onnx, batch: BATCH, threads: 2, runs: RUNS }),
  });
}
const over = (f: (r: Rates) => number | undefined): number | undefined =>
  rounds[0] && f(rounds[0]) !== undefined ? median(rounds.map((r) => f(r)!)) : undefined;
const infer1 = over((r) => r.plain1)!;
const infer2 = over((r) => r.plain2)!;
const fma1 = over((r) => r.fma1);
const fma2 = over((r) => r.fma2);
const ort1 = over((r) => r.ort1)!;
const ort2 = over((r) => r.ort2)!;
const vsOrt = {
  plain1: over((r) => r.plain1 / r.ort1)!,
  plain2: over((r) => r.plain2 / r.ort2)!,
  fma1: over((r) => (r.fma1 === undefined ? undefined : r.fma1 / r.ort1)),
  fma2: over((r) => (r.fma2 === undefined ? undefined : r.fma2 / r.ort2)),
};
const tfjs = values['skip-tfjs']
  ? undefined
  : await measureTfjsWasm({ batch: BATCH, threads: 1, warmup: 1, runs: Math.min(RUNS, 3) });
const engine = await createEngine();
const gemm = convRows(engine, 'gemm', [256, 1, 1, 256], 256, [1, 1], 1)[0].gflops;

console.log('\n| | examples/s | GFLOP/s | target | vs onnxruntime | vs tfjs-wasm |');
console.log('|---|---:|---:|---:|---:|---:|');
const tfT = tfjs?.trainExPerSec;
const tfI = tfjs?.inferExPerSec;
const ratio = (a: number, b: number | undefined): string => (b ? `${(a / b).toFixed(2)}×` : '—');
const kernels = relaxed ? 'relaxed SIMD' : 'plain SIMD';
console.log(
  `| ours, training, 1 thread, ${kernels} | ${fmt(train1)} | ${gflops(train1, 3)} | 330 | — | ${ratio(train1, tfT)} |`,
);
console.log(
  `| ours, training, 2 threads, ${kernels} | ${fmt(train2)} | ${gflops(train2, 3)} | 560 | — | ${ratio(train2, tfT)} |`,
);
const inferRows: [string, number | undefined, number | undefined][] = [
  ['1 thread, plain SIMD', infer1, vsOrt.plain1],
  ['2 threads, plain SIMD', infer2, vsOrt.plain2],
  ['1 thread, relaxed SIMD', fma1, vsOrt.fma1],
  ['2 threads, relaxed SIMD', fma2, vsOrt.fma2],
];
for (const [label, v, vs] of inferRows) {
  if (v === undefined) continue;
  const target = label.startsWith('1 thread') ? '3300' : '—';
  const tf = label.startsWith('1 thread') ? ratio(v, tfI) : '—';
  const peer = vs === undefined ? '—' : `${vs.toFixed(2)}×`;
  console.log(`| ours, inference, ${label} | ${fmt(v)} | ${gflops(v, 1)} | ${target} | ${peer} | ${tf} |`);
}
console.log(`| onnxruntime-node, inference, 1 thread | ${fmt(ort1)} | ${gflops(ort1, 1)} | | | |`);
console.log(`| onnxruntime-node, inference, 2 threads | ${fmt(ort2)} | ${gflops(ort2, 1)} | | | |`);
if (tfjs) {
  console.log(
    `| tfjs-wasm, training, 1 thread | ${fmt(tfjs.trainExPerSec)} | ${gflops(tfjs.trainExPerSec, 3)} | | | |`,
  );
  console.log(
    `| tfjs-wasm, inference, 1 thread | ${fmt(tfjs.inferExPerSec)} | ${gflops(tfjs.inferExPerSec, 1)} | | | |`,
  );
}
console.log(
  `\nGEMM 256³ (our 1×1 conv kernel, one core): ${gemm.wall.toFixed(1)} GFLOP/s wall, ${gemm.cpu.toFixed(1)} by CPU time = ` +
    `${((100 * gemm.cpu) / OPENBLAS_GFLOPS).toFixed(0)}% of OpenBLAS (${OPENBLAS_GFLOPS})`,
);
const grew = rss.last > rss.first * 1.05;
console.log(
  `RSS over ${RSS_STEPS} training steps (1 thread, batch ${BATCH}): ${rss.first.toFixed(0)} MiB after 50, ` +
    `${rss.last.toFixed(0)} MiB at the end, peak ${rss.max.toFixed(0)} MiB; growth: ${grew ? 'YES' : 'none'}; ` +
    `peak under 300 MB: ${rss.max * 1.048576 < 300 ? 'yes' : 'NO'}`,
);
