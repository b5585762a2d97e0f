/**
 * A replica: one multi-task network in one engine, with its optimizer and losses. Training with one
 * thread uses one replica; with N threads, N identical replicas (one per worker) each run a shard of
 * every task's batch and then apply the same summed gradient, so they stay identical (see
 * replica-group.ts). Rebuilt whenever pruning shrinks the network.
 */
import { MtaError } from '../common/index.js';
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
  exportWeights,
  importWeights,
  MultiTaskNetwork,
  surrogateCost,
  type ModelConfig,
  type TaskRows,
  type WeightMap,
} from '../model/index.js';
import type { Phase } from './checkpoint.js';
import { evaluate, type TaskAccuracy } from './evaluate.js';
import type { TrainOptions } from './options.js';
import type { EvalSplit, TaskInfo, TrainBatch, TrainingData } from './training-data.js';

/** Everything needed to build a replica; plain data, so it can be posted to a worker. */
export interface ReplicaSpec {
  config: ModelConfig;
  options: TrainOptions;
  tasks: TaskInfo[];
  frames: number;
  bands: number;
  phase: Phase;
  /** Encoder frozen: not optimised, BN on running statistics. */
  frozen: boolean;
}

/** Per-task sums of one shard: loss (already scaled), correct predictions, examples. */
export interface ShardStats {
  loss: number[];
  right: number[];
  seen: number[];
}

/** Thrown by a shard whose loss is not finite; `task` is the task index. */
export class NonFiniteLoss extends Error {
  constructor(readonly task: number) {
    super(`non-finite loss in task ${task}`);
  }
}

const isGate = (p: Param): boolean => p.name.startsWith('adapter.') && p.name.endsWith('.bn.gamma');

export class Replica {
  private constructor(
    readonly spec: ReplicaSpec,
    readonly net: MultiTaskNetwork,
    readonly optimizer: Optimizer,
    private readonly losses: SoftmaxCrossEntropy[],
  ) {}

  static async create(spec: ReplicaSpec, weights?: WeightMap, optState?: OptimizerState): Promise<Replica> {
    const o = spec.options;
    const engine = await createEngine({ seed: o.seed });
    const net = new MultiTaskNetwork(engine, spec.config);
    if (weights) importWeights(net, weights, 'training state');
    const params = spec.frozen ? net.columns.flatMap((_, t) => net.taskParams(t)) : net.params();
    const gateScale = spec.phase === 'search' ? o.gateLrScale : 1;
    const optOpts = {
      lr: o.lr,
      engine,
      weightDecay: o.weightDecay,
      lrScale: (p: Param) => (isGate(p) ? gateScale : 1),
    };
    const optimizer = o.weightDecay > 0 ? new AdamW(params, optOpts) : new Adam(params, optOpts);
    if (optState) optimizer.loadState(optState, 'training state');
    const losses = spec.tasks.map(
      (t) =>
        new SoftmaxCrossEntropy(engine, `loss.${t.name}`, t.classes.length, {
          classWeights: t.classWeights,
          labelSmoothing: o.labelSmoothing,
        }),
    );
    return new Replica(spec, net, optimizer, losses);
  }

  /**
   * Zeroes the gradients, then runs forward and backward over one shard (one batch per task; a task
   * with no rows is skipped) with dlogits of task t scaled by `scales[t]`, accumulating gradients.
   */
  runShard(batches: TrainBatch[], scales: number[]): ShardStats {
    const { net, spec } = this;
    const engine = net.engine;
    const T = batches.length;
    const stats: ShardStats = {
      loss: new Array(T).fill(0),
      right: new Array(T).fill(0),
      seen: new Array(T).fill(0),
    };
    engine.zeroGrads(this.optimizer.params);
    const n = batches.reduce((s, b) => s + b.size, 0);
    if (n === 0) return stats;
    const mark = engine.mark();
    const x = engine.tensor([n, spec.frames, spec.bands, 1]);
    const xd = x.data();
    const rows: (TaskRows | undefined)[] = [];
    let at = 0;
    for (const b of batches) {
      xd.set(b.x.subarray(0, b.size * spec.frames * spec.bands), at * spec.frames * spec.bands);
      rows.push(b.size > 0 ? { start: at, count: b.size } : undefined);
      at += b.size;
    }
    const logits = net.forward(x, rows, 'train', spec.frozen ? 'eval' : 'train');
    const dlogits = logits.map((l, t) => {
      if (!l) return undefined;
      let out;
      try {
        out = this.losses[t].forward(l, batches[t].y.subarray(0, batches[t].size));
      } catch (e) {
        if (e instanceof MtaError && e.code === 'NON_FINITE') throw new NonFiniteLoss(t);
        throw e;
      }
      stats.loss[t] = out.loss * scales[t];
      stats.seen[t] = batches[t].size;
      const ld = l.data();
      const k = spec.tasks[t].classes.length;
      for (let i = 0; i < batches[t].size; i++) {
        let arg = 0;
        for (let j = 1; j < k; j++) if (ld[i * k + j] > ld[i * k + arg]) arg = j;
        if (arg === batches[t].y[i]) stats.right[t]++;
      }
      if (scales[t] !== 1) {
        const dd = out.dlogits.data();
        for (let i = 0; i < dd.length; i++) dd[i] *= scales[t];
      }
      return out.dlogits;
    });
    net.backward(dlogits, { encoder: !spec.frozen });
    engine.reset(mark);
    return stats;
  }

  /** Adds λ·d(surrogate)/dγ to the gates (search phase), clips, and applies the optimizer step. */
  update(lambdaAbs: number): void {
    const o = this.spec.options;
    if (this.spec.phase === 'search' && lambdaAbs > 0) {
      const s = surrogateCost(this.spec.config, this.net.gates(), o.cost, o.threshold);
      this.net.addGateGrads(s.grads, lambdaAbs);
    }
    if (o.clipNorm) clipGradNorm(this.optimizer.params, o.clipNorm);
    this.optimizer.step();
  }

  exportWeights(): WeightMap {
    return exportWeights(this.net);
  }

  optimizerState(): OptimizerState {
    return this.optimizer.state();
  }

  paramShapes(): Map<string, readonly number[]> {
    return new Map(this.net.params().map((p) => [p.name, p.shape]));
  }

  evaluate(data: TrainingData, split: EvalSplit): TaskAccuracy[] {
    return evaluate(this.net, data, split);
  }
}
