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
import type { OptimizerState } from '../engine/index.js';
import {
  buildModelConfig,
  exactCost,
  gateMasks,
  pruneWeights,
  surrogateCost,
  taskAdapterWidths,
  type BlockMask,
  type ModelConfig,
  type WeightMap,
} from '../model/index.js';
import { loadCheckpoint, saveCheckpoint, type Phase, type TrainState } from './checkpoint.js';
import { meanClipAccuracy } from './evaluate.js';
import type { TrainOptions } from './options.js';
import { ReplicaGroup } from './replica-group.js';
import { Replica, type ReplicaSpec } from './replica.js';
import { formatCount } from './report.js';
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
  const spec = (config: ModelConfig, phase: Phase): ReplicaSpec => ({
    config,
    options: o,
    tasks: data.tasks,
    frames: data.frames,
    bands: data.bands,
    phase,
    frozen,
  });

  let state: TrainState;
  let group: ReplicaGroup;
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
    group = await ReplicaGroup.create(
      o.threads,
      spec(state.config, state.phase),
      resumed.weights,
      resumed.optimizer,
    );
    best = loadCheckpoint(join(hooks.outDir, 'best.safetensors'))?.weights;
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
    let weights: WeightMap | undefined;
    if (hooks.frozenEncoder) {
      const seed = await Replica.create(spec(initial, state.phase));
      weights = seed.exportWeights();
      for (const [name, t] of hooks.frozenEncoder) if (name.startsWith('encoder.')) weights.set(name, t);
    }
    group = await ReplicaGroup.create(o.threads, spec(initial, state.phase), weights);
  }

  try {
    return await runPhases();
  } finally {
    await group.close();
  }

  async function runPhases(): Promise<TrainRun> {
    const lambdaAbs = state.s0 > 0 ? o.lambda / state.s0 : 0;
    const taskWeights = data.tasks.map((t) => o.taskWeights?.[t.name] ?? 1);
    const taskNames = data.tasks.map((t) => t.name);
    const T = data.tasks.length;
    const epochLoss = new Float64Array(T);
    const epochRight = new Float64Array(T);
    const epochSeen = new Float64Array(T);
    const bar: Progress | undefined =
      hooks.progress === false ? undefined : progress('train', searchSteps + maxFinetuneSteps, 'steps');
    bar?.tick(state.step);

    const rebuild = async (
      config: ModelConfig,
      weights: WeightMap,
      optState: OptimizerState,
    ): Promise<void> => {
      state.config = config;
      await group.rebuild(spec(config, state.phase), weights, optState);
    };

    const prune = async (): Promise<void> => {
      const weights = group.primary.exportWeights();
      const masks = gateMasks(state.config, weights, o.threshold);
      const pruned = pruneWeights(state.config, weights, masks);
      const widths = (c: ModelConfig): string =>
        JSON.stringify(c.tasks.map((_, t) => taskAdapterWidths(c, t)));
      if (widths(pruned.config) === widths(state.config)) return;
      const optState = pruneOptimizerState(
        group.primary.optimizerState(),
        state.config,
        group.primary.paramShapes(),
        masks,
      );
      await rebuild(pruned.config, pruned.weights, optState);
    };

    const step = (): void => {
      const batches = data.next();
      batches.forEach((b, t) => {
        // A NaN in one task's input would poison every task through the shared batch norm: name it here.
        for (let i = 0; i < b.size * data.frames * data.bands; i++) {
          if (!Number.isFinite(b.x[i])) {
            throw new MtaError(
              'NON_FINITE',
              `the input of task "${taskNames[t]}" is not finite at step ${state.step + 1}`,
              {
                subject: 'training',
                hint: 'check the data of this task; the last good checkpoint is kept',
              },
            );
          }
        }
      });
      const s = group.step(
        batches,
        taskWeights,
        state.phase === 'search' ? lambdaAbs : 0,
        state.step + 1,
        taskNames,
      );
      for (let t = 0; t < T; t++) {
        epochLoss[t] += s.loss[t];
        epochRight[t] += s.right[t];
        epochSeen[t] += s.seen[t];
      }
      state.step++;
      state.phaseStep++;
    };

    const endEpoch = async (): Promise<void> => {
      state.epoch++;
      const val = group.primary.evaluate(data, 'val');
      const score = meanClipAccuracy(val);
      const cost = exactCost(state.config).total;
      state.history.push({
        epoch: state.epoch,
        step: state.step,
        phase: state.phase,
        trainLoss: Array.from(epochLoss, (l) => l / data.stepsPerEpoch),
        trainAccuracy: Array.from(epochRight, (r, t) => r / Math.max(1, epochSeen[t])),
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
          best = group.primary.exportWeights();
          saveCheckpoint(join(hooks.outDir, 'best.safetensors'), state, best, {});
        } else {
          state.badEpochs++;
        }
      }
      state.position = data.position();
      saveCheckpoint(ckptPath, state, group.primary.exportWeights(), group.primary.optimizerState());
      bar?.tick(
        0,
        `epoch ${state.epoch} ${state.phase}: val ${(100 * score).toFixed(1)}%, ${formatCount(cost.params)} params, ${formatCount(cost.macs)} MACs`,
      );
    };

    // Per task, this epoch so far: mean training loss / accuracy; then the current exact cost.
    const status = (): string => {
      const cost = exactCost(state.config).total;
      const steps = Math.max(1, state.phaseStep % data.stepsPerEpoch || data.stepsPerEpoch);
      const tasks = taskNames.map(
        (name, t) =>
          `${name.slice(0, 6)} ${(epochLoss[t] / steps).toFixed(2)}/${((100 * epochRight[t]) / Math.max(1, epochSeen[t])).toFixed(0)}%`,
      );
      return `${state.phase} | ${tasks.join(' ')} | ${formatCount(cost.params)} params ${formatCount(cost.macs)} MACs`;
    };

    const halted = (): boolean => o.haltAfterStep !== undefined && state.step >= o.haltAfterStep;
    const result = (weights: WeightMap): TrainRun => ({
      config: state.config,
      weights,
      state,
      seconds: (performance.now() - t0) / 1000,
    });

    while (state.phase !== 'done') {
      if (state.phase === 'search') {
        while (state.phaseStep < searchSteps) {
          step();
          bar?.tick(1, status());
          if (state.phaseStep % o.pruneEvery === 0) await prune();
          if (state.phaseStep % data.stepsPerEpoch === 0) {
            await endEpoch();
            if (halted()) return result(group.primary.exportWeights());
          }
        }
        await prune();
        state.phase = 'finetune';
        state.phaseStep = 0;
        // A new phase: gates drop to the base learning rate; the optimizer keeps its moments.
        await rebuild(state.config, group.primary.exportWeights(), group.primary.optimizerState());
        continue;
      }
      while (state.phaseStep < maxFinetuneSteps && state.badEpochs < o.patience) {
        step();
        bar?.tick(1, status());
        if (state.phaseStep % data.stepsPerEpoch === 0) {
          await endEpoch();
          if (halted()) return result(group.primary.exportWeights());
        }
      }
      state.phase = 'done';
    }
    bar?.stop();
    saveCheckpoint(ckptPath, state, group.primary.exportWeights(), group.primary.optimizerState());
    return result(best ?? group.primary.exportWeights());
  }
}

/** Writes JSON atomically, pretty-printed. */
export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
