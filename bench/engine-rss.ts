// Training memory of the engine benchmark, in a process of its own so that the peers the benchmark
// loads (onnxruntime's native library, TensorFlow.js) do not count: RSS sampled every 50 steps of
// 1-thread training at batch 64. Prints one JSON line {first, last, max} in MiB.
//   tsx bench/engine-rss.ts [steps]
import { trainGroup, trainStep } from './reference-encoder.js';

const steps = Number(process.argv[2] ?? 1000);
const group = await trainGroup(1);
const samples: number[] = [];
for (let i = 0; i < steps; i++) {
  trainStep(group, i + 1);
  if (i % 50 === 49) samples.push(process.memoryUsage().rss / 2 ** 20);
}
await group.close();
console.log(
  JSON.stringify({ first: samples[0], last: samples[samples.length - 1], max: Math.max(...samples) }),
);
