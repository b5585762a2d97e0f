import { Rng } from '../../src/common/index.js';
import type { EvalClip, TrainBatch, TrainingData } from '../../src/train/index.js';

/**
 * A small separable two-task data set of 96×64 "patches": task `band` (3 classes) is which mel
 * region holds a bright stripe, task `half` (2 classes) is whether a bright blob sits in the first or
 * second half of the time axis. Noise on top. Deterministic from the seed.
 */
export function toyData(opts: {
  seed: number;
  batchSize: number;
  trainPerClass?: number;
  nanAt?: number;
}): TrainingData {
  const F = 96;
  const B = 64;
  const per = F * B;
  const tasks = [
    { name: 'band', classes: ['low', 'mid', 'high'] },
    { name: 'half', classes: ['early', 'late'] },
  ];
  const make = (task: number, label: number, rng: Rng): Float32Array => {
    const x = new Float32Array(per);
    for (let i = 0; i < per; i++) x[i] = 0.5 * rng.normal();
    const shift = rng.int(6);
    for (let f = 0; f < F; f++) {
      for (let b = 0; b < B; b++) {
        const on =
          task === 0
            ? b >= label * 20 + shift && b < label * 20 + shift + 6
            : (label === 0 ? f < 40 : f >= 56) && b >= 20 && b < 40;
        if (on) x[f * B + b] += 2;
      }
    }
    return x;
  };
  const sets = tasks.map((t, ti) => {
    const rng = Rng.derive(opts.seed, `toy:${t.name}`);
    const split = (n: number): { x: Float32Array; y: number }[] =>
      Array.from({ length: n * t.classes.length }, (_, i) => {
        const y = i % t.classes.length;
        return { x: make(ti, y, rng), y };
      });
    return { train: split(opts.trainPerClass ?? 24), val: split(8), test: split(8) };
  });
  let pos = tasks.map(() => ({ epoch: 0, batch: 0 }));
  let calls = 0;
  const order = (t: number, epoch: number): number[] =>
    Rng.derive(opts.seed, `order:${t}:${epoch}`).shuffle(sets[t].train.map((_, i) => i));
  return {
    tasks,
    frames: F,
    bands: B,
    stepsPerEpoch: Math.ceil(sets[0].train.length / opts.batchSize),
    next(): TrainBatch[] {
      calls++;
      return tasks.map((_, t) => {
        const n = sets[t].train.length;
        if (pos[t].batch * opts.batchSize >= n) pos[t] = { epoch: pos[t].epoch + 1, batch: 0 };
        const idx = order(t, pos[t].epoch).slice(
          pos[t].batch * opts.batchSize,
          (pos[t].batch + 1) * opts.batchSize,
        );
        pos[t].batch++;
        const x = new Float32Array(idx.length * per);
        idx.forEach((k, i) => x.set(sets[t].train[k].x, i * per));
        if (opts.nanAt !== undefined && calls === opts.nanAt && t === 1) x[5] = NaN;
        return { size: idx.length, x, y: Int32Array.from(idx, (k) => sets[t].train[k].y) };
      });
    },
    position: () => pos.map((p) => ({ ...p })),
    seek(p) {
      pos = p.map((q) => ({ ...q }));
    },
    *clips(t, split): Iterable<EvalClip> {
      for (const c of sets[t][split]) yield { label: c.y, patches: { count: 1, data: c.x } };
    },
  };
}
