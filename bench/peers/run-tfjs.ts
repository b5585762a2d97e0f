/**
 * Measures the TensorFlow.js wasm peer alone: `npx tsx bench/peers/run-tfjs.ts [--runs N]`.
 * Prints examples/s for inference and for a training step at batch 64, and the threads tfjs uses.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureTfjsWasm } from './tfjs-encoder.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '2' },
    runs: { type: 'string', default: '5' },
  },
});
const opts = {
  batch: Number(values.batch),
  threads: Number(values.threads),
  warmup: Number(values.warmup),
  runs: Number(values.runs),
};
const r = await measureTfjsWasm(opts);
console.log(`tfjs-wasm 4.22 (XNNPACK), reference encoder, batch ${opts.batch}, median of ${opts.runs} runs`);
console.log(`  threads used      ${r.threads} (requested ${opts.threads})`);
console.log(
  `  inference         ${r.inferExPerSec.toFixed(1)} ex/s (${r.inferExPerCpuSec.toFixed(1)} per CPU second)`,
);
console.log(
  `  training step     ${r.trainExPerSec.toFixed(1)} ex/s (${r.trainExPerCpuSec.toFixed(1)} per CPU second; forward, backward, Adam)`,
);
console.log(
  `  load average      ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores (other processes slow the wall-clock rates)`,
);
