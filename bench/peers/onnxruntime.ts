/**
 * onnxruntime-node as a peer: inference throughput of an ONNX graph written by our exporter
 * (src/io/onnx-export.ts), on random log-mel patches, with a chosen number of intra-op threads.
 *
 *   const bytes = referenceEncoderOnnx();                       // DESIGN.md §1 encoder, 10 classes
 *   const exPerSec = await measureOnnxRuntime({ modelBytes: bytes, batch: 64, threads: 1, runs: 10 });
 */
import * as ort from 'onnxruntime-node';
import { Rng } from '../../src/common/index.js';
import { DEFAULT_FRONTEND } from '../../src/audio/index.js';
import { createEngine } from '../../src/engine/index.js';
import { encodeOnnx, ONNX_INPUT } from '../../src/io/index.js';
import {
  buildModelConfig,
  exactCost,
  exportWeights,
  MultiTaskNetwork,
  type ModelConfig,
  type WeightMap,
} from '../../src/model/index.js';
import { median } from '../median.js';

export interface OnnxRuntimeRun {
  /** An ONNX model whose input is `logmel` [N, 1, frames, bands]. */
  modelBytes: Uint8Array;
  batch: number;
  /** intraOpNumThreads (inter-op stays 1). */
  threads: number;
  /** Timed runs after two warm-up runs; the figure is the median run. */
  runs: number;
}

export interface OnnxRuntimeMeasurement {
  examplesPerSec: number;
  /** Examples per CPU second of the process (all its threads): steadier on a shared machine. */
  examplesPerCpuSec: number;
  /** Median wall time of one run of `batch` examples. */
  msPerRun: number;
}

/** Median examples per second of onnxruntime-node on random input of the model's input shape. */
export async function measureOnnxRuntimeDetailed(o: OnnxRuntimeRun): Promise<OnnxRuntimeMeasurement> {
  const session = await ort.InferenceSession.create(o.modelBytes, {
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const { patchFrames: F, melBands: B } = DEFAULT_FRONTEND;
  const rng = new Rng(1);
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: o.batch * F * B }, () => rng.normal() * 2 - 3),
    [o.batch, 1, F, B],
  );
  for (let i = 0; i < 2; i++) await session.run({ [ONNX_INPUT]: x });
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await session.run({ [ONNX_INPUT]: x });
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  await session.release();
  const ms = median(times);
  return {
    examplesPerSec: (o.batch * 1000) / ms,
    examplesPerCpuSec: (o.batch * 1000) / median(cpu),
    msPerRun: ms,
  };
}

/** Examples per second (median run); the call the engine benchmark uses. */
export async function measureOnnxRuntime(o: OnnxRuntimeRun): Promise<number> {
  return (await measureOnnxRuntimeDetailed(o)).examplesPerSec;
}

/** Random weights with batch norm statistics that make folding non-trivial. */
export async function randomWeights(config: ModelConfig, seed: number): Promise<WeightMap> {
  const net = new MultiTaskNetwork(await createEngine({ seed }), config);
  const rng = new Rng(seed + 1);
  for (const p of net.buffers()) {
    const v = p.value();
    if (p.name.endsWith('running_mean')) v.forEach((_, i) => (v[i] = rng.uniform(-0.2, 0.2)));
    if (p.name.endsWith('running_var')) v.forEach((_, i) => (v[i] = rng.uniform(0.5, 2)));
  }
  return exportWeights(net);
}

/** The reference encoder of DESIGN.md §1 (widths 8…256) with one 10-class head, as ONNX. */
export async function referenceEncoderOnnx(seed = 1): Promise<Uint8Array> {
  const model = buildModelConfig({
    tasks: [{ name: 'reference', classes: Array.from({ length: 10 }, (_, i) => `c${i}`) }],
    adapterWidth: 0,
  });
  const weights = await randomWeights(model, seed);
  return encodeOnnx({ frontend: DEFAULT_FRONTEND, model, weights, cost: exactCost(model), info: {} });
}
