/**
 * Data-parallel training over N threads with bit-reproducible results.
 *
 * Participant 0 is the calling thread's replica; participants 1..N−1 are worker threads, each with
 * its own engine and an identical replica. Every step, each task's batch is cut into N contiguous
 * shards; participant k runs forward/backward on shard k (batch-norm statistics are per shard) with
 * dlogits scaled by its share of the task's examples, writes its gradients to slot k of a shared
 * buffer, and waits at a barrier. Then every participant sums slots 0, 1, …, N−1 in that order —
 * the same float operations everywhere — and applies the same optimizer update, so the replicas stay
 * identical without ever sending weights. Same seed and thread count: the same numbers. Slots are
 * double-buffered by step parity, so a fast participant starting step s+1 never overwrites a slot
 * another is still summing for step s. Only replica 0's batch-norm running statistics are used
 * (evaluation, checkpoints).
 */
import type { Worker } from 'node:worker_threads';
import { MtaError, startModuleWorker } from '../common/index.js';
import type { OptimizerState } from '../engine/index.js';
import type { WeightMap } from '../model/index.js';
import { NonFiniteLoss, Replica, type ReplicaSpec, type ShardStats } from './replica.js';
import type { TrainBatch } from './training-data.js';

/** Shared memory of one group generation (rebuilt with the replicas after pruning). */
export interface GroupBuffers {
  /** [0]: barrier arrivals; [1 + k]: participant k's status (0 ok, 1 non-finite loss, 2 failure); [1 + n + k]: task. */
  ctrl: SharedArrayBuffer;
  /** 2 parities × n participants × gradient size, float32. */
  grads: SharedArrayBuffer;
  /** 2 parities × n participants × 3 × tasks (loss, right, seen), float64. */
  stats: SharedArrayBuffer;
  n: number;
  gradSize: number;
  tasks: number;
}

/** A step never takes this long; past it a participant is presumed dead rather than slow. */
const BARRIER_TIMEOUT_MS = 30 * 60 * 1000;

export const STATUS_OK = 0;
export const STATUS_NON_FINITE = 1;
export const STATUS_FAILED = 2;

/**
 * One participant's part of a step: run the shard, publish gradients and stats, meet the others,
 * sum every slot in a fixed order, update. Returns false when some participant failed (no update).
 */
export function participate(
  replica: Replica,
  b: GroupBuffers,
  k: number,
  stepIndex: number,
  shard: TrainBatch[],
  scales: number[],
  lambdaAbs: number,
): boolean {
  const ctrl = new Int32Array(b.ctrl);
  const parity = stepIndex & 1;
  const grads = new Float32Array(b.grads, parity * b.n * b.gradSize * 4, b.n * b.gradSize);
  const stats = new Float64Array(b.stats, parity * b.n * 3 * b.tasks * 8, b.n * 3 * b.tasks);
  let status = STATUS_OK;
  let failedTask = -1;
  let s: ShardStats | undefined;
  try {
    s = replica.runShard(shard, scales);
  } catch (e) {
    status = e instanceof NonFiniteLoss ? STATUS_NON_FINITE : STATUS_FAILED;
    failedTask = e instanceof NonFiniteLoss ? e.task : -1;
    if (status === STATUS_FAILED) console.error(e);
  }
  let off = k * b.gradSize;
  for (const p of replica.optimizer.params) {
    const g = p.grad();
    grads.set(g, off);
    off += g.length;
  }
  for (let t = 0; t < b.tasks; t++) {
    stats[(k * 3 + 0) * b.tasks + t] = s?.loss[t] ?? 0;
    stats[(k * 3 + 1) * b.tasks + t] = s?.right[t] ?? 0;
    stats[(k * 3 + 2) * b.tasks + t] = s?.seen[t] ?? 0;
  }
  Atomics.store(ctrl, 1 + k, status);
  Atomics.store(ctrl, 1 + b.n + k, failedTask);
  // Barrier: arrivals only grow, so step s is complete when n·(s + 1) participants have arrived.
  Atomics.add(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
  const target = b.n * (stepIndex + 1);
  const deadline = Date.now() + BARRIER_TIMEOUT_MS;
  for (let v = Atomics.load(ctrl, 0); v < target; v = Atomics.load(ctrl, 0)) {
    if (Atomics.wait(ctrl, 0, v, BARRIER_TIMEOUT_MS) === 'timed-out' && Date.now() >= deadline) {
      throw new Error(
        `training participant ${k} waited ${BARRIER_TIMEOUT_MS / 1000} s for the others at step ${stepIndex}`,
      );
    }
  }
  for (let j = 0; j < b.n; j++) if (Atomics.load(ctrl, 1 + j) !== STATUS_OK) return false;
  off = 0;
  for (const p of replica.optimizer.params) {
    const g = p.grad();
    g.set(grads.subarray(off, off + g.length));
    for (let j = 1; j < b.n; j++) {
      const base = j * b.gradSize + off;
      for (let i = 0; i < g.length; i++) g[i] += grads[base + i];
    }
    off += g.length;
  }
  replica.update(lambdaAbs);
  return true;
}

/** Cuts each task's batch into n contiguous shards; shard k of task t gets rows [⌊kB/n⌋, ⌊(k+1)B/n⌋). */
export function shardBatches(
  batches: TrainBatch[],
  n: number,
  frames: number,
  bands: number,
): TrainBatch[][] {
  const per = frames * bands;
  return Array.from({ length: n }, (_, k) =>
    batches.map((b) => {
      const lo = Math.floor((k * b.size) / n);
      const hi = Math.floor(((k + 1) * b.size) / n);
      return { size: hi - lo, x: b.x.slice(lo * per, hi * per), y: b.y.slice(lo, hi) };
    }),
  );
}

/** Training replicas: replica 0 here, plus worker threads when threads > 1. */
export class ReplicaGroup {
  private buffers: GroupBuffers | undefined;
  private stepIndex = 0;
  private workerError: string | undefined;

  private constructor(
    public primary: Replica,
    private readonly workers: Worker[],
  ) {
    for (const w of workers) {
      w.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'error') this.workerError = m.message;
      });
      w.on('error', (e) => {
        this.workerError = e.message;
      });
    }
  }

  static async create(
    threads: number,
    spec: ReplicaSpec,
    weights?: WeightMap,
    optState?: OptimizerState,
  ): Promise<ReplicaGroup> {
    const primary = await Replica.create(spec, weights, optState);
    const workers = await Promise.all(
      Array.from({ length: threads - 1 }, () => startModuleWorker(import.meta.url, 'replica-worker')),
    );
    const group = new ReplicaGroup(primary, workers);
    if (workers.length > 0)
      await group.buildWorkers(
        spec,
        weights ?? primary.exportWeights(),
        optState ?? primary.optimizerState(),
      );
    return group;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  private async buildWorkers(spec: ReplicaSpec, weights: WeightMap, optState: OptimizerState): Promise<void> {
    const n = this.threads;
    const gradSize = this.primary.optimizer.params.reduce((s, p) => s + p.grad().length, 0);
    const T = spec.tasks.length;
    this.buffers = {
      ctrl: new SharedArrayBuffer(4 * (1 + 2 * n)),
      grads: new SharedArrayBuffer(2 * n * gradSize * 4),
      stats: new SharedArrayBuffer(2 * n * 3 * T * 8),
      n,
      gradSize,
      tasks: T,
    };
    this.stepIndex = 0;
    await Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (m: { type: string; message?: string }): void => {
              if (m.type === 'built') {
                w.off('message', onMessage);
                resolve();
              } else if (m.type === 'error') {
                w.off('message', onMessage);
                reject(new Error(`training worker ${i + 1}: ${m.message}`));
              }
            };
            w.on('message', onMessage);
            w.postMessage({ type: 'build', spec, weights, optState, buffers: this.buffers, index: i + 1 });
          }),
      ),
    );
  }

  /** Replaces every replica (after pruning or at a phase change). */
  async rebuild(spec: ReplicaSpec, weights: WeightMap, optState: OptimizerState): Promise<void> {
    this.primary = await Replica.create(spec, weights, optState);
    if (this.workers.length > 0) await this.buildWorkers(spec, weights, optState);
  }

  /**
   * One training step over the whole batch. `taskWeights[t]` scales task t's loss. Returns per-task
   * sums over all shards (loss as the weighted mean CE, right and seen as counts).
   */
  step(
    batches: TrainBatch[],
    taskWeights: number[],
    lambdaAbs: number,
    stepNumber: number,
    taskNames: string[],
  ): ShardStats {
    const nonFinite = (t: number): MtaError =>
      new MtaError('NON_FINITE', `the loss of task "${taskNames[t]}" is not finite at step ${stepNumber}`, {
        subject: 'training',
        hint: 'lower --lr, or check the data; the last good checkpoint is kept',
      });
    if (this.workers.length === 0) {
      let s: ShardStats;
      try {
        s = this.primary.runShard(batches, taskWeights);
      } catch (e) {
        if (e instanceof NonFiniteLoss) throw nonFinite(e.task);
        throw e;
      }
      this.primary.update(lambdaAbs);
      return s;
    }
    const b = this.buffers!;
    const shards = shardBatches(batches, b.n, this.primary.spec.frames, this.primary.spec.bands);
    // Shard k's share of task t: its fraction of the batch's total class weight, so that the summed
    // gradient is exactly the gradient of the whole batch's (weighted) mean loss.
    const weightOf = (t: number, y: Int32Array, size: number): number => {
      const cw = this.primary.spec.tasks[t].classWeights;
      let s = 0;
      for (let i = 0; i < size; i++) s += cw ? cw[y[i]] : 1;
      return s;
    };
    const totals = batches.map((bt, t) => weightOf(t, bt.y, bt.size));
    const scales = shards.map((shard) =>
      shard.map((s, t) => (totals[t] > 0 ? (taskWeights[t] * weightOf(t, s.y, s.size)) / totals[t] : 0)),
    );
    const index = this.stepIndex++;
    this.workers.forEach((w, i) => {
      const shard = shards[i + 1];
      w.postMessage(
        { type: 'step', shard, scales: scales[i + 1], stepIndex: index, lambdaAbs },
        shard.flatMap((s) => [s.x.buffer as ArrayBuffer, s.y.buffer as ArrayBuffer]),
      );
    });
    const ok = participate(this.primary, b, 0, index, shards[0], scales[0], lambdaAbs);
    if (!ok) {
      const ctrl = new Int32Array(b.ctrl);
      for (let j = 0; j < b.n; j++) {
        if (ctrl[1 + j] === STATUS_NON_FINITE) throw nonFinite(ctrl[1 + b.n + j]);
      }
      throw new Error(`a training worker failed${this.workerError ? `: ${this.workerError}` : ''}`);
    }
    const stats = new Float64Array(b.stats, (index & 1) * b.n * 3 * b.tasks * 8, b.n * 3 * b.tasks);
    const T = b.tasks;
    const out: ShardStats = {
      loss: new Array(T).fill(0),
      right: new Array(T).fill(0),
      seen: new Array(T).fill(0),
    };
    for (let k = 0; k < b.n; k++) {
      for (let t = 0; t < T; t++) {
        out.loss[t] += stats[(k * 3 + 0) * T + t];
        out.right[t] += stats[(k * 3 + 1) * T + t];
        out.seen[t] += stats[(k * 3 + 2) * T + t];
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
