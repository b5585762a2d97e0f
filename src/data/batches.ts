/**
 * Batches for training and clip-level views for evaluation, read from the feature cache.
 *
 * Shapes: a batch is x = B × patchFrames × bands float32 (row-major, frame-major within a patch,
 * the model's input layout) and y = B int32 class indices. An epoch visits every training clip of
 * a task once, in an order shuffled from (seed, task, epoch), taking one patch per clip:
 * - crop `cycle` (default): the clip's patch grid (the front end's patchStarts) in turn by epoch;
 * - crop `patch`: a random patch of that grid;
 * - crop `offset`: any start frame (time shift); a clip shorter than a patch is placed at a random
 *   offset inside it, with silence (log(logOffset)) around it.
 * Then, if configured: a noisy variant (with probability p), random gain, SpecAugment masks.
 * Validation and test batches are never augmented and use the first patch.
 */
import { MtaError, Rng } from '../common/index.js';
import { patchStarts, toPatches, type Patches } from '../audio/index.js';
import { applyGain, applySpecAugment, drawSpecAugment } from './augment.js';
import type { FeatureStore, StoreTask } from './feature-store.js';
import type { Split } from './suite-schema.js';

export interface Batch {
  task: string;
  /** Patches in this batch (the last batch of an epoch may be short). */
  size: number;
  /** size × patchFrames × bands. */
  x: Float32Array;
  /** size class indices. */
  y: Int32Array;
  /** size indices into the task's clips (StoreTask.clips). */
  clips: Int32Array;
}

export interface BatchOptions {
  batchSize?: number;
  seed?: number;
  split?: Split;
  /** Apply the task's augmentation (default: true for the train split). */
  augment?: boolean;
}

/** One task's batches, epoch by epoch. */
export class TaskBatcher {
  readonly batchSize: number;
  readonly split: Split;
  private readonly t: StoreTask;
  private readonly members: number[];
  private readonly seed: number;
  private readonly augment: boolean;
  private readonly silence: number;

  constructor(
    private readonly store: FeatureStore,
    task: string,
    opts: BatchOptions = {},
  ) {
    this.t = store.task(task);
    this.batchSize = opts.batchSize ?? 64;
    this.split = opts.split ?? 'train';
    this.seed = opts.seed ?? 0;
    this.augment = opts.augment ?? this.split === 'train';
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 65536) {
      throw new MtaError('BAD_ARGUMENT', 'batch size out of range', {
        subject: 'batchSize',
        expected: 'an integer in [1, 65536]',
        actual: String(opts.batchSize),
      });
    }
    this.members = [];
    this.t.clips.forEach((c, i) => {
      if (c.split === this.split) this.members.push(i);
    });
    if (this.members.length === 0) {
      throw new MtaError('BAD_DATA', `task "${task}" has no ${this.split} clips with features`, {
        subject: task,
      });
    }
    this.silence = Math.fround(Math.log(store.frontend.logOffset));
  }

  /** Clips per epoch. */
  get size(): number {
    return this.members.length;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.members.length / this.batchSize);
  }

  *epoch(e: number): Generator<Batch> {
    const rng = Rng.derive(this.seed, `batches:${this.t.task.name}:${this.split}:${e}`);
    const order = this.split === 'train' ? rng.shuffle([...this.members]) : this.members;
    for (let b = 0; b < order.length; b += this.batchSize) {
      yield this.batch(order.slice(b, b + this.batchSize), e, rng);
    }
  }

  private batch(clips: number[], epoch: number, rng: Rng): Batch {
    const { patchFrames, logOffset } = this.store.frontend;
    const bands = this.store.bands;
    const size = patchFrames * bands;
    const x = new Float32Array(clips.length * size);
    const y = new Int32Array(clips.length);
    const aug = this.augment ? this.t.task.augment : undefined;
    clips.forEach((ci, i) => {
      y[i] = this.t.clips[ci].label;
      const frames = this.t.frames[ci];
      let variant = -1;
      const noise = aug?.noise;
      if (noise && this.t.variants[ci].length > 0 && rng.next() < noise.probability) {
        variant = rng.int(this.t.variants[ci].length);
      }
      const crop = aug?.crop ?? 'cycle';
      let start = 0;
      let at = 0;
      if (frames <= patchFrames) {
        if (crop === 'offset') at = rng.int(patchFrames - frames + 1);
      } else if (crop === 'offset') start = rng.int(frames - patchFrames + 1);
      else {
        const starts = patchStarts(frames, this.store.frontend);
        start = crop === 'patch' ? starts[rng.int(starts.length)] : starts[epoch % starts.length];
        if (!this.augment) start = starts[0];
      }
      if (at > 0) x.fill(this.silence, i * size, i * size + at * bands);
      this.store.readFrames(
        this.t,
        ci,
        start,
        patchFrames - at,
        x,
        i * patchFrames + at,
        this.silence,
        variant,
      );
      const patch = x.subarray(i * size, (i + 1) * size);
      if (aug?.gainDb) applyGain(patch, rng.uniform(aug.gainDb[0], aug.gainDb[1]), logOffset);
      if (aug?.specAugment) {
        applySpecAugment(
          patch,
          patchFrames,
          bands,
          drawSpecAugment(rng, aug.specAugment, patchFrames, bands),
        );
      }
    });
    return { task: this.t.task.name, size: clips.length, x, y, clips: Int32Array.from(clips) };
  }
}

/**
 * One batch per trainable task per step, each task cycling through its own epochs (tasks differ in
 * size, so their epochs end at different steps).
 */
export class MultiTaskBatches {
  readonly batchers: TaskBatcher[];
  private readonly iters: Generator<Batch>[];
  private readonly epochs: number[];

  constructor(store: FeatureStore, opts: Omit<BatchOptions, 'split'> = {}) {
    this.batchers = store.tasks
      .filter((t) => !t.task.evalOnly)
      .map((t) => new TaskBatcher(store, t.task.name, { ...opts, split: 'train' }));
    this.epochs = this.batchers.map(() => 0);
    this.iters = this.batchers.map((b) => b.epoch(0));
  }

  /** Epochs completed so far, per task. */
  get epochsDone(): number[] {
    return [...this.epochs];
  }

  next(): Batch[] {
    return this.batchers.map((b, i) => {
      let r = this.iters[i].next();
      if (r.done) {
        this.epochs[i]++;
        this.iters[i] = b.epoch(this.epochs[i]);
        r = this.iters[i].next();
      }
      return r.value as Batch;
    });
  }
}

/** Every patch of one clip (the front end's patch policy), for clip-level evaluation. */
export function clipPatches(store: FeatureStore, task: string, clip: number): Patches {
  return toPatches(store.clipFrames(store.task(task), clip), store.frontend);
}

/** The clips of one split of a task, each with all its patches. */
export function* evalClips(
  store: FeatureStore,
  task: string,
  split: Split = 'test',
): Generator<{ clip: number; label: number; patches: Patches }> {
  const t = store.task(task);
  for (let i = 0; i < t.clips.length; i++) {
    if (t.clips[i].split === split)
      yield { clip: i, label: t.clips[i].label, patches: clipPatches(store, task, i) };
  }
}
