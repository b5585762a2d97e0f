/**
 * The training loop of the multi-task adapter model (DESIGN.md §1).
 *
 * Each step draws one batch per task; the shared encoder runs once over all of them (each task owns
 * a row range), each adapter column and head only over its task's rows, and
 *   loss = Σ_t w_t·CE_t + λ·surrogate,   λ = λ_rel / S0 (S0 = surrogate of the unpruned model at init).
 * Phases: "search" (λ > 0; gates at a higher learning rate; dead channels physically pruned every
 * `pruneEvery` steps and at the end), then "finetune" (λ = 0, structure frozen, early stopping on the
 * validation mean clip accuracy, so it cannot pick a wider model). Without adapters or with λ = 0 only
 * the fine-tune phase runs. Checkpoints after every epoch make `--resume` exact.
 */
import { join } from 'node:path';
import { MtaError, progress, writeFileAtomic, type Progress } from '../common/index.js';
import {
  Adam,
  AdamW,
  clipGradNorm,
  createEngine,
  SoftmaxCrossEntropy,
  type Optimizer,
  type OptimizerState,
  type Param,
} from '../engine/index.js';
import {
  buildModelConfig,
  exactCost,
  exportWeights,
  gateMasks,
  importWeights,
  MultiTaskNetwork,
  pruneWeights,
  surrogateCost,
  taskAdapterWidths,
  type BlockMask,
  type ModelConfig,
  type WeightMap,
} from '../model/index.js';
import { loadCheckpoint, saveCheckpoint, type Phase, type TrainState } from './checkpoint.js';
import { evaluate, meanClipAccuracy } from './evaluate.js';
import type { TrainOptions } from './options.js';
import type { TrainingData } from './training-data.js';

export interface TrainRun {
  config: ModelConfig;
  /** The best weights (by validation mean clip accuracy in the last phase). */
  weights: WeightMap;
  state: TrainState;
  seconds: number;
}

export interface TrainHooks {
  /** Folder for checkpoint.safetensors. */
  outDir: string;
  /** Show a progress bar (default true). */
  progress?: boolean;
  /** Encoder weights to load and freeze (from --freeze-encoder). */
  frozenEncoder?: WeightMap;
  log?: (line: string) => void;
}

/** The model's initial architecture for these options and tasks. */
export function initialConfig(data: TrainingData, o: TrainOptions): ModelConfig {
  const adapterWidth = o.baseline === 'multihead' || o.baseline === 'single' ? 0 : o.adapterWidth;
  return buildModelConfig({
    tasks: data.tasks.map((t) => ({ name: t.name, classes: t.classes })),
    width: o.width,
    adapterWidth,
    inputFrames: data.frames,
    inputBands: data.bands,
  });
}

function fingerprint(o: TrainOptions, data: TrainingData): string {
  const { resume: _r, haltAfterStep: _h, threads: _t, ...rest } = o;
  return JSON.stringify({ ...rest, tasks: data.tasks.map((t) => [t.name, t.classes.length]) });
}

function unitGates(c: ModelConfig): { time: Float32Array; freq: Float32Array }[][] {
  return c.tasks.map(() =>
    c.blocks.map((b) => ({
      time: new Float32Array(b.adapterWidth).fill(1),
      freq: new Float32Array(b.adapterWidth).fill(1),
    })),
  );
}

const isGate = (p: Param): boolean => p.name.startsWith('adapter.') && p.name.endsWith('.bn.gamma');

/** One network in one engine, with its optimizer and losses. Rebuilt whenever pruning shrinks it. */
class Trainee {
  private constructor(
    readonly net: MultiTaskNetwork,
    readonly optimizer: Optimizer,
    readonly losses: SoftmaxCrossEntropy[],
  ) {}

  static async create(
    config: ModelConfig,
    data: TrainingData,
    o: TrainOptions,
    phase: Phase,
    frozen: boolean,
    weights?: WeightMap,
    optState?: OptimizerState,
  ): Promise<Trainee> {
    const engine = await createEngine({ seed: o.seed });
    const net = new MultiTaskNetwork(engine, config);
    if (weights) importWeights(net, weights, 'training state');
    const params = frozen ? net.columns.flatMap((_, t) => net.taskParams(t)) : net.params();
    const gateScale = phase === 'search' ? o.gateLrScale : 1;
    const optOpts = {
      lr: o.lr,
      engine,
      weightDecay: o.weightDecay,
      lrScale: (p: Param) => (isGate(p) ? gateScale : 1),
    };
    const optimizer = o.weightDecay > 0 ? new AdamW(params, optOpts) : new Adam(params, optOpts);
    if (optState) optimizer.loadState(optState, 'training state');
    const losses = data.tasks.map(
      (t) =>
        new SoftmaxCrossEntropy(engine, `loss.${t.name}`, t.classes.length, {
          classWeights: t.classWeights,
          labelSmoothing: o.labelSmoothing,
        }),
    );
    return new Trainee(net, optimizer, losses);
  }
}

/** Optimizer state restricted to the surviving channels (slots are pruned like the weights). */
function pruneOptimizerState(
  state: OptimizerState,
  config: ModelConfig,
  shapes: Map<string, readonly number[]>,
  masks: BlockMask[][],
): OptimizerState {
  const slots = new Map<string, WeightMap>();
  const out: OptimizerState = {};
  for (const [key, v] of Object.entries(state)) {
    if (typeof v === 'number') {
      out[key] = v;
      continue;
    }
    const dot = key.indexOf('.');
    const slot = key.slice(0, dot);
    const name = key.slice(dot + 1);
    if (!slots.has(slot)) slots.set(slot, new Map());
    slots.get(slot)!.set(name, { shape: [...shapes.get(name)!], data: v });
  }
  for (const [slot, map] of slots) {
    for (const [name, w] of pruneWeights(config, map, masks).weights) out[`${slot}.${name}`] = w.data;
  }
  return out;
}

export async function trainModel(data: TrainingData, o: TrainOptions, hooks: TrainHooks): Promise<TrainRun> {
  const t0 = performance.now();
  const log = hooks.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const ckptPath = join(hooks.outDir, 'checkpoint.safetensors');
  const frozen = hooks.frozenEncoder !== undefined;
  const fp = fingerprint(o, data);
  const initial = initialConfig(data, o);
  const hasAdapters = initial.blocks.some((b) => b.adapterWidth > 0);
  const searching = hasAdapters && o.lambda > 0 && o.baseline !== 'uniform' && o.searchEpochs > 0;
  const searchSteps = searching ? o.searchEpochs * data.stepsPerEpoch : 0;
  const maxFinetuneSteps = o.finetuneEpochs * data.stepsPerEpoch;

  let state: TrainState;
  let trainee: Trainee;
  let best: WeightMap | undefined;
  const resumed = o.resume ? loadCheckpoint(ckptPath) : undefined;
  if (resumed) {
    if (resumed.state.fingerprint !== fp) {
      throw new MtaError('BAD_ARGUMENT', 'the checkpoint was made with other options or another suite', {
        subject: ckptPath,
        hint: 'resume with the same flags, or start afresh in a new --out folder',
      });
    }
    state = resumed.state;
    data.seek(state.position);
    trainee = await Trainee.create(
      state.config,
      data,
      o,
      state.phase,
      frozen,
      resumed.weights,
      resumed.optimizer,
    );
    const bestFile = loadCheckpoint(join(hooks.outDir, 'best.safetensors'));
    best = bestFile?.weights;
    log(`resumed at step ${state.step} (${state.phase})`);
  } else {
    const s0 = hasAdapters ? surrogateCost(initial, unitGates(initial), o.cost, o.threshold).value : 0;
    state = {
      config: initial,
      phase: searching ? 'search' : 'finetune',
      step: 0,
      phaseStep: 0,
      epoch: 0,
      position: data.position(),
      s0,
      bestScore: -1,
      bestStep: 0,
      badEpochs: 0,
      history: [],
      fingerprint: fp,
    };
    trainee = await Trainee.create(initial, data, o, state.phase, frozen);
    if (hooks.frozenEncoder) {
      const w = exportWeights(trainee.net);
      for (const [name, t] of hooks.frozenEncoder) if (name.startsWith('encoder.')) w.set(name, t);
      importWeights(trainee.net, w, 'frozen encoder');
    }
  }

  const lambdaAbs = state.s0 > 0 ? o.lambda / state.s0 : 0;
  const taskWeights = data.tasks.map((t) => o.taskWeights?.[t.name] ?? 1);
  const T = data.tasks.length;
  const epochLoss = new Float64Array(T);
  const epochRight = new Float64Array(T);
  const epochSeen = new Float64Array(T);
  const totalSteps = searchSteps + maxFinetuneSteps;
  const bar: Progress | undefined =
    hooks.progress === false ? undefined : progress('train', totalSteps, 'steps');
  bar?.tick(state.step);

  const prune = async (): Promise<void> => {
    const weights = exportWeights(trainee.net);
    const masks = gateMasks(state.config, weights, o.threshold);
    const pruned = pruneWeights(state.config, weights, masks);
    const widths = (c: ModelConfig): string => JSON.stringify(c.tasks.map((_, t) => taskAdapterWidths(c, t)));
    if (widths(pruned.config) === widths(state.config)) return;
    const shapes = new Map(trainee.net.params().map((p) => [p.name, p.shape]));
    const optState = pruneOptimizerState(trainee.optimizer.state(), state.config, shapes, masks);
    state.config = pruned.config;
    trainee = await Trainee.create(pruned.config, data, o, state.phase, frozen, pruned.weights, optState);
  };

  const step = (): void => {
    const { net, optimizer, losses } = trainee;
    const engine = net.engine;
    const batches = data.next();
    const mark = engine.mark();
    const n = batches.reduce((s, b) => s + b.size, 0);
    const x = engine.tensor([n, data.frames, data.bands, 1]);
    const rows = [];
    let at = 0;
    const xd = x.data();
    for (const [t, b] of batches.entries()) {
      // A NaN in one task's input would poison every task through the shared batch norm: name it here.
      for (let i = 0; i < b.x.length; i++) {
        if (!Number.isFinite(b.x[i])) {
          throw new MtaError(
            'NON_FINITE',
            `the input of task "${data.tasks[t].name}" is not finite at step ${state.step + 1}`,
            {
              subject: 'training',
              hint: 'check the data of this task; the last good checkpoint is kept',
            },
          );
        }
      }
      xd.set(b.x, at * data.frames * data.bands);
      rows.push({ start: at, count: b.size });
      at += b.size;
    }
    engine.zeroGrads(optimizer.params);
    const logits = net.forward(x, rows, 'train', frozen ? 'eval' : 'train');
    const dlogits = logits.map((l, t) => {
      let out;
      try {
        out = losses[t].forward(l!, batches[t].y);
      } catch (e) {
        if (!(e instanceof MtaError && e.code === 'NON_FINITE')) throw e;
        throw new MtaError(
          'NON_FINITE',
          `the loss of task "${data.tasks[t].name}" is not finite at step ${state.step + 1}`,
          {
            subject: 'training',
            hint: 'lower --lr, or check the data; the last good checkpoint is kept',
          },
        );
      }
      const { loss, dlogits: d } = out;
      epochLoss[t] += loss;
      const ld = l!.data();
      const k = data.tasks[t].classes.length;
      for (let i = 0; i < batches[t].size; i++) {
        let arg = 0;
        for (let j = 1; j < k; j++) if (ld[i * k + j] > ld[i * k + arg]) arg = j;
        if (arg === batches[t].y[i]) epochRight[t]++;
      }
      epochSeen[t] += batches[t].size;
      if (taskWeights[t] !== 1) {
        const dd = d.data();
        for (let i = 0; i < dd.length; i++) dd[i] *= taskWeights[t];
      }
      return d;
    });
    net.backward(dlogits, { encoder: !frozen });
    if (state.phase === 'search' && lambdaAbs > 0) {
      const s = surrogateCost(state.config, net.gates(), o.cost, o.threshold);
      net.addGateGrads(s.grads, lambdaAbs);
    }
    if (o.clipNorm) clipGradNorm(optimizer.params, o.clipNorm);
    optimizer.step();
    engine.reset(mark);
    state.step++;
    state.phaseStep++;
  };

  const endEpoch = async (): Promise<void> => {
    state.epoch++;
    const val = evaluate(trainee.net, data, 'val');
    const score = meanClipAccuracy(val);
    const cost = exactCost(state.config).total;
    const seen = Array.from(epochSeen, (s) => Math.max(1, s));
    state.history.push({
      epoch: state.epoch,
      step: state.step,
      phase: state.phase,
      trainLoss: Array.from(epochLoss, (l) => l / Math.max(1, data.stepsPerEpoch)),
      trainAccuracy: Array.from(epochRight, (r, t) => r / seen[t]),
      valClipAccuracy: val.map((a) => a.clipAccuracy),
      params: cost.params,
      macs: cost.macs,
    });
    epochLoss.fill(0);
    epochRight.fill(0);
    epochSeen.fill(0);
    if (state.phase === 'finetune') {
      if (score > state.bestScore) {
        state.bestScore = score;
        state.bestStep = state.step;
        state.badEpochs = 0;
        best = exportWeights(trainee.net);
        saveCheckpoint(join(hooks.outDir, 'best.safetensors'), state, best, {});
      } else {
        state.badEpochs++;
      }
    }
    state.position = data.position();
    saveCheckpoint(ckptPath, state, exportWeights(trainee.net), trainee.optimizer.state());
    const cs = exactCost(state.config).total;
    bar?.tick(
      0,
      `epoch ${state.epoch} ${state.phase} val ${(100 * score).toFixed(1)}% params ${cs.params} MACs ${cs.macs}`,
    );
  };

  const halt = (): boolean => o.haltAfterStep !== undefined && state.step >= o.haltAfterStep;

  while (state.phase !== 'done') {
    if (state.phase === 'search') {
      while (state.phaseStep < searchSteps) {
        step();
        bar?.tick(1);
        if (state.phaseStep % o.pruneEvery === 0) await prune();
        if (state.phaseStep % data.stepsPerEpoch === 0) {
          await endEpoch();
          if (halt()) return haltedRun(state, trainee, t0);
        }
      }
      await prune();
      state.phase = 'finetune';
      state.phaseStep = 0;
      // A new phase: gates drop to the base learning rate; the optimizer keeps its moments.
      trainee = await Trainee.create(
        state.config,
        data,
        o,
        state.phase,
        frozen,
        exportWeights(trainee.net),
        trainee.optimizer.state(),
      );
      continue;
    }
    while (state.phaseStep < maxFinetuneSteps && state.badEpochs < o.patience) {
      step();
      bar?.tick(1);
      if (state.phaseStep % data.stepsPerEpoch === 0) {
        await endEpoch();
        if (halt()) return haltedRun(state, trainee, t0);
      }
    }
    state.phase = 'done';
  }
  bar?.stop();
  const weights = best ?? exportWeights(trainee.net);
  saveCheckpoint(ckptPath, state, exportWeights(trainee.net), trainee.optimizer.state());
  return { config: state.config, weights, state, seconds: (performance.now() - t0) / 1000 };
}

function haltedRun(state: TrainState, trainee: Trainee, t0: number): TrainRun {
  return {
    config: state.config,
    weights: exportWeights(trainee.net),
    state,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Writes JSON atomically, pretty-printed. */
export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
