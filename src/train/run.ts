/**
 * `mta train` end to end: suite → feature cache → training → evaluation of the best weights on the
 * validation and test splits → model file(s) and metrics.json (atomic) → summary table.
 * The `single` baseline trains one full model per task (each a one-task multi-head model) and reports
 * their summed cost.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MtaError, writeFileAtomic } from '../common/index.js';
import { createEngine } from '../engine/index.js';
import { openSuite, prepareFeatures, resolveSuite, type FeatureStore } from '../data/index.js';
import { decodeModelFile, encodeModelFile } from '../io/index.js';
import {
  exactCost,
  importWeights,
  MultiTaskNetwork,
  type ModelConfig,
  type WeightMap,
} from '../model/index.js';
import { evaluate } from './evaluate.js';
import type { TrainOptions } from './options.js';
import { buildMetrics, type RunMetrics } from './report.js';
import { featureStoreData, type TrainingData } from './training-data.js';
import { trainModel, writeJson } from './trainer.js';

export interface RunRequest {
  /** Suite file path, or `builtin`. */
  suite: string;
  out: string;
  options: TrainOptions;
  cacheDir?: string;
  /** Built-in suite only. */
  clipsPerTask?: number;
  /** Restrict training to these tasks of the suite. */
  tasks?: string[];
  progress?: boolean;
  log?: (line: string) => void;
}

export interface RunOutput {
  metrics: RunMetrics;
  modelFiles: string[];
}

export async function openFeatures(
  req: Pick<RunRequest, 'suite' | 'cacheDir' | 'clipsPerTask' | 'progress'>,
): Promise<FeatureStore> {
  const suite = openSuite(req.suite, { clipsPerTask: req.clipsPerTask });
  const resolved = await resolveSuite(suite);
  return prepareFeatures(resolved, { cacheDir: req.cacheDir, progress: req.progress });
}

async function evaluateWeights(config: ModelConfig, weights: WeightMap, data: TrainingData) {
  const net = new MultiTaskNetwork(await createEngine(), config);
  importWeights(net, weights, 'trained model');
  return { test: evaluate(net, data, 'test'), val: evaluate(net, data, 'val') };
}

function frozenEncoder(path: string | undefined): WeightMap | undefined {
  if (!path) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new MtaError('FILE_NOT_FOUND', 'cannot read the encoder model', { subject: path, cause: e });
  }
  const m = decodeModelFile(bytes, path);
  return new Map([...m.weights].filter(([name]) => name.startsWith('encoder.')));
}

async function trainOne(
  req: RunRequest,
  store: FeatureStore,
  outDir: string,
  tasks: string[] | undefined,
): Promise<{ metrics: RunMetrics; config: ModelConfig; weights: WeightMap }> {
  const o = req.options;
  mkdirSync(outDir, { recursive: true });
  const data = featureStoreData(store, { batchSize: o.batchSize, seed: o.seed, tasks: tasks ?? req.tasks });
  const run = await trainModel(data, o, {
    outDir,
    progress: req.progress,
    log: req.log,
    frozenEncoder: frozenEncoder(o.freezeEncoder),
  });
  const { test, val } = await evaluateWeights(run.config, run.weights, data);
  const metrics = buildMetrics({
    suite: req.suite,
    baseline: o.baseline ?? 'adapters',
    cost: o.cost,
    lambda: o.lambda,
    seed: o.seed,
    width: o.width,
    config: run.config,
    exact: exactCost(run.config),
    test,
    val,
    training: {
      steps: run.state.step,
      seconds: run.seconds,
      bestStep: run.state.bestStep,
      history: run.state.history,
    },
  });
  return { metrics, config: run.config, weights: run.weights };
}

export async function runTraining(req: RunRequest): Promise<RunOutput> {
  mkdirSync(req.out, { recursive: true });
  const store = await openFeatures(req);
  try {
    const unknown = req.tasks?.find((t) => !store.tasks.some((s) => s.task.name === t));
    if (unknown !== undefined) {
      throw new MtaError('BAD_ARGUMENT', `unknown task "${unknown}"`, {
        subject: '--tasks',
        expected: store.tasks.map((t) => t.task.name).join(', '),
      });
    }
    const o = req.options;
    const writeModel = (
      file: string,
      r: { metrics: RunMetrics; config: ModelConfig; weights: WeightMap },
    ): string => {
      const info = { options: o, suite: req.suite, meanAccuracy: r.metrics.meanAccuracy };
      writeFileAtomic(
        file,
        encodeModelFile({ frontend: store.frontend, model: r.config, weights: r.weights, info }),
      );
      return file;
    };
    if (o.baseline === 'single') {
      const names = store.tasks
        .filter((t) => !t.task.evalOnly && (!req.tasks || req.tasks.includes(t.task.name)))
        .map((t) => t.task.name);
      const parts: RunMetrics[] = [];
      const files: string[] = [];
      for (const name of names) {
        const r = await trainOne(req, store, join(req.out, 'single', name), [name]);
        parts.push(r.metrics);
        files.push(writeModel(join(req.out, `model-${name}.safetensors`), r));
      }
      const metrics = combineSingle(parts);
      writeJson(join(req.out, 'metrics.json'), metrics);
      return { metrics, modelFiles: files };
    }
    const r = await trainOne(req, store, req.out, undefined);
    const file = writeModel(join(req.out, 'model.safetensors'), r);
    writeJson(join(req.out, 'metrics.json'), r.metrics);
    return { metrics: r.metrics, modelFiles: [file] };
  } finally {
    store.close();
  }
}

/** Independent single-task models: nothing is shared, every task pays for its own encoder. */
function combineSingle(parts: RunMetrics[]): RunMetrics {
  const first = parts[0];
  const tasks = Object.assign({}, ...parts.map((p) => p.tasks));
  const sum = (f: (p: RunMetrics) => number): number => parts.reduce((s, p) => s + f(p), 0);
  const mean = (f: (p: RunMetrics) => number): number => sum(f) / parts.length;
  for (const p of parts) {
    const [name] = Object.keys(p.tasks);
    tasks[name] = { ...p.tasks[name], params: p.exact.total.params, macs: p.exact.total.macs };
  }
  return {
    ...first,
    meanAccuracy: {
      testClip: mean((p) => p.meanAccuracy.testClip),
      testPatch: mean((p) => p.meanAccuracy.testPatch),
      valClip: mean((p) => p.meanAccuracy.valClip),
    },
    exact: {
      total: { params: sum((p) => p.exact.total.params), macs: sum((p) => p.exact.total.macs) },
      shared: { params: 0, macs: 0 },
      tasks: Object.fromEntries(parts.map((p) => [Object.keys(p.tasks)[0], p.exact.total])),
      layers: parts.flatMap((p) =>
        p.exact.layers.map((l) => ({ ...l, layer: `${Object.keys(p.tasks)[0]}/${l.layer}` })),
      ),
    },
    tasks,
    training: {
      steps: sum((p) => p.training.steps),
      seconds: sum((p) => p.training.seconds),
      bestStep: 0,
      history: [],
    },
  };
}
