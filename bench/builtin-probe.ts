/**
 * Difficulty probe for the built-in suite (a dev tool, not a test): renders the suite, summarises
 * each clip by the mean and standard deviation of its log-mel bands over time (128 numbers), and
 * fits two cheap classifiers on the train split, scored on the held-out test split:
 * nearest class centroid and multinomial logistic regression. A good benchmark task is well above
 * chance for these probes and clearly below 100%; tasks that need temporal detail (keyword,
 * language) should score lowest here, since the summary throws time away.
 *
 *   npm run bench:builtin-probe -- [--clips-per-task 300] [--seed 0]
 */
import { logMel } from '../src/audio/index.js';
import { progress } from '../src/common/index.js';
import { builtinSuitePlan, renderBuiltinClip } from '../src/data/builtin/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Mean and standard deviation over frames of each log-mel band. */
function summary(samples: Float32Array): Float64Array {
  const m = logMel(samples);
  const f = new Float64Array(2 * m.bands);
  for (let t = 0; t < m.frames; t++) {
    for (let b = 0; b < m.bands; b++) {
      const v = m.data[t * m.bands + b];
      f[b] += v;
      f[m.bands + b] += v * v;
    }
  }
  for (let b = 0; b < m.bands; b++) {
    const mean = f[b] / m.frames;
    f[b] = mean;
    f[m.bands + b] = Math.sqrt(Math.max(0, f[m.bands + b] / m.frames - mean * mean));
  }
  return f;
}

function standardise(train: Float64Array[], all: Float64Array[]): void {
  const d = train[0].length;
  for (let j = 0; j < d; j++) {
    let s = 0;
    let s2 = 0;
    for (const x of train) {
      s += x[j];
      s2 += x[j] * x[j];
    }
    const mean = s / train.length;
    const sd = Math.sqrt(Math.max(1e-12, s2 / train.length - mean * mean));
    for (const x of all) x[j] = (x[j] - mean) / sd;
  }
}

function nearestCentroid(xs: Float64Array[], ys: number[], k: number): (x: Float64Array) => number {
  const d = xs[0].length;
  const c = Array.from({ length: k }, () => new Float64Array(d));
  const n = new Array(k).fill(0);
  xs.forEach((x, i) => {
    n[ys[i]]++;
    for (let j = 0; j < d; j++) c[ys[i]][j] += x[j];
  });
  c.forEach((v, i) => v.forEach((_, j) => (v[j] /= Math.max(1, n[i]))));
  return (x) => {
    let best = 0;
    let bestD = Infinity;
    c.forEach((v, i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[j] - v[j]) ** 2;
      if (s < bestD) [best, bestD] = [i, s];
    });
    return best;
  };
}

/** Softmax regression by full-batch gradient descent with a little L2. */
function logistic(xs: Float64Array[], ys: number[], k: number): (x: Float64Array) => number {
  const d = xs[0].length + 1;
  const w = new Float64Array(k * d);
  const grad = new Float64Array(k * d);
  const p = new Float64Array(k);
  const scores = (x: Float64Array, out: Float64Array): void => {
    for (let c = 0; c < k; c++) {
      let s = w[c * d + d - 1];
      for (let j = 0; j < d - 1; j++) s += w[c * d + j] * x[j];
      out[c] = s;
    }
  };
  for (let it = 0; it < 300; it++) {
    grad.fill(0);
    xs.forEach((x, i) => {
      scores(x, p);
      const m = Math.max(...p);
      let z = 0;
      for (let c = 0; c < k; c++) z += p[c] = Math.exp(p[c] - m);
      for (let c = 0; c < k; c++) {
        const g = p[c] / z - (c === ys[i] ? 1 : 0);
        for (let j = 0; j < d - 1; j++) grad[c * d + j] += g * x[j];
        grad[c * d + d - 1] += g;
      }
    });
    for (let q = 0; q < w.length; q++) w[q] -= 0.5 * (grad[q] / xs.length + 1e-3 * w[q]);
  }
  return (x) => {
    scores(x, p);
    return p.indexOf(Math.max(...p));
  };
}

const seed = arg('--seed', 0);
const clipsPerTask = arg('--clips-per-task', 300);
const { tasks, clips } = builtinSuitePlan({ seed, clipsPerTask });
const bar = progress('probe: render + log-mel', clips.length, 'clips');
const feats = clips.map((ref) => {
  const f = summary(renderBuiltinClip(ref, { seed }));
  bar.tick();
  return f;
});
bar.stop();

console.log(`seed ${seed}, ${clipsPerTask} clips per task; accuracy on the test split (unseen groups)`);
console.log('task        classes  chance  centroid  logistic  logistic(train)');
for (const t of tasks) {
  const idx = clips.flatMap((c, i) => (c.task === t.name ? [i] : []));
  const tr = idx.filter((i) => clips[i].split === 'train');
  const te = idx.filter((i) => clips[i].split === 'test');
  const xs = idx.map((i) => Float64Array.from(feats[i]));
  const byIdx = new Map(idx.map((i, j) => [i, xs[j]]));
  standardise(
    tr.map((i) => byIdx.get(i)!),
    xs,
  );
  const trX = tr.map((i) => byIdx.get(i)!);
  const trY = tr.map((i) => clips[i].label);
  const K = t.classes.length;
  const acc = (f: (x: Float64Array) => number, set: number[]): string =>
    ((100 * set.filter((i) => f(byIdx.get(i)!) === clips[i].label).length) / set.length)
      .toFixed(1)
      .padStart(7);
  const nc = nearestCentroid(trX, trY, K);
  const lr = logistic(trX, trY, K);
  console.log(
    `${t.name.padEnd(12)}${String(K).padStart(7)}  ${(100 / K).toFixed(1).padStart(6)}  ${acc(nc, te)}   ${acc(lr, te)}   ${acc(lr, tr)}`,
  );
}
