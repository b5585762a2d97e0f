/**
 * What the trainer needs from a data set, as a narrow interface: per-task training batches that can
 * be resumed from a saved position, and clip-level evaluation sets. `featureStoreData` adapts the
 * feature cache of a task suite; tests can supply small in-memory data sets.
 */
import { MtaError } from '../common/index.js';
import { evalClips, TaskBatcher, type Batch, type FeatureStore } from '../data/index.js';

export type EvalSplit = 'val' | 'test';

export interface TaskInfo {
  name: string;
  classes: string[];
  classWeights?: number[];
}

export interface TrainBatch {
  size: number;
  /** size × frames × bands patches. */
  x: Float32Array;
  y: Int32Array;
}

export interface EvalClip {
  label: number;
  /** count patches of frames × bands. */
  patches: { count: number; data: Float32Array };
}

/** Where each task's batch iterator stands: epoch and batches taken within it. */
export type BatchPosition = { epoch: number; batch: number }[];

export interface TrainingData {
  readonly tasks: TaskInfo[];
  readonly frames: number;
  readonly bands: number;
  /** Training steps that make one (average) epoch over the tasks. */
  readonly stepsPerEpoch: number;
  /** One training batch per task. */
  next(): TrainBatch[];
  position(): BatchPosition;
  seek(p: BatchPosition): void;
  clips(task: number, split: EvalSplit): Iterable<EvalClip>;
}

/** Training data from the feature cache of a suite (trainable tasks only). */
export function featureStoreData(
  store: FeatureStore,
  opts: { batchSize: number; seed: number; tasks?: string[] },
): TrainingData {
  const tasks = store.tasks.filter(
    (t) => !t.task.evalOnly && (!opts.tasks || opts.tasks.includes(t.task.name)),
  );
  if (tasks.length === 0) {
    throw new MtaError('BAD_CONFIG', 'the suite has no trainable task', { subject: 'suite' });
  }
  const batchers = tasks.map(
    (t) =>
      new TaskBatcher(store, t.task.name, { batchSize: opts.batchSize, seed: opts.seed, split: 'train' }),
  );
  let pos: BatchPosition = tasks.map(() => ({ epoch: 0, batch: 0 }));
  let iters: Generator<Batch>[] = batchers.map((b) => b.epoch(0));
  const seek = (p: BatchPosition): void => {
    if (p.length !== batchers.length) {
      throw new MtaError('BAD_MODEL', 'checkpoint batch position does not match the suite', {
        subject: 'checkpoint',
        expected: `${batchers.length} tasks`,
        actual: `${p.length}`,
      });
    }
    pos = p.map((x) => ({ ...x }));
    iters = batchers.map((b, i) => {
      const it = b.epoch(pos[i].epoch);
      // Batches of an epoch draw from one sequential stream, so skipping means drawing them.
      for (let k = 0; k < pos[i].batch; k++) it.next();
      return it;
    });
  };
  const mean = batchers.reduce((s, b) => s + b.batchesPerEpoch, 0) / batchers.length;
  return {
    tasks: tasks.map((t) => ({
      name: t.task.name,
      classes: t.task.classes,
      classWeights: t.task.classWeights,
    })),
    frames: store.frontend.patchFrames,
    bands: store.bands,
    stepsPerEpoch: Math.max(1, Math.round(mean)),
    next() {
      return batchers.map((b, i) => {
        let r = iters[i].next();
        if (r.done) {
          pos[i] = { epoch: pos[i].epoch + 1, batch: 0 };
          iters[i] = b.epoch(pos[i].epoch);
          r = iters[i].next();
        }
        pos[i].batch++;
        const batch = r.value as Batch;
        return { size: batch.size, x: batch.x, y: batch.y };
      });
    },
    position: () => pos.map((x) => ({ ...x })),
    seek,
    *clips(task, split) {
      for (const c of evalClips(store, tasks[task].task.name, split))
        yield { label: c.label, patches: c.patches };
    },
  };
}
