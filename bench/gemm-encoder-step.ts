// Where the time of one training step of the reference encoder goes (internal timing, single thread).
// Prints milliseconds per layer and pass, the achieved GFLOP/s of each conv pass, and examples/s for
// a full training step (forward, backward, Adam) and for folded inference.
//   npm run bench:gemm-step [-- --batch 64 --steps 5]
import { parseArgs } from 'node:util';
import { Rng } from '../src/common/index.js';
import {
  Adam,
  buildReferenceEncoder,
  createEngine,
  SoftmaxCrossEntropy,
  type Tensor,
} from '../src/engine/index.js';

const { values } = parseArgs({
  options: { batch: { type: 'string', default: '64' }, steps: { type: 'string', default: '5' } },
});
const B = Number(values.batch);
const STEPS = Number(values.steps);
const H = 96;
const W = 64;

const engine = await createEngine({ seed: 1 });
const net = buildReferenceEncoder(engine, { width: 1, classes: 10 });
const ce = new SoftmaxCrossEntropy(engine, 'loss', 10);
const opt = new Adam(net.params(), { lr: 1e-3, engine });
const rng = new Rng(2);
const input = Float32Array.from({ length: B * H * W }, () => rng.normal());
const labels = Array.from({ length: B }, () => rng.int(10));

const times = new Map<string, number>();
const flops = new Map<string, number>();
/** Milliseconds of CPU time used by this process (robust to other processes sharing the cores). */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function timed<T>(key: string, fn: () => T, flop = 0): T {
  const t0 = cpuMs();
  const r = fn();
  times.set(key, (times.get(key) ?? 0) + cpuMs() - t0);
  if (flop) flops.set(key, (flops.get(key) ?? 0) + flop);
  return r;
}
/** 2·M·K·N of a conv from its output shape. */
const convFlop = (y: Tensor, taps: number, cin: number): number => (2 * y.size * taps * cin) as number;

function step(profile: boolean): void {
  const mark = engine.mark();
  const x = engine.fromValues([B, H, W, 1], input);
  engine.zeroGrads();
  const t = profile ? timed : <T>(_k: string, fn: () => T): T => fn();
  let h = x;
  const shapes: { t: Tensor; f: Tensor }[] = [];
  net.blocks.forEach((b, i) => {
    const cin = h.shape[3];
    const yt = t(`b${i} conv3x1 fwd`, () => b.convT.forward(h, 'train'));
    if (profile) flops.set(`b${i} conv3x1 fwd`, (flops.get(`b${i} conv3x1 fwd`) ?? 0) + convFlop(yt, 3, cin));
    h = t(`b${i} bn fwd`, () => b.bnT.forward(yt, 'train'));
    const yf = t(`b${i} conv1x3 fwd`, () => b.convF.forward(h, 'train'));
    if (profile)
      flops.set(`b${i} conv1x3 fwd`, (flops.get(`b${i} conv1x3 fwd`) ?? 0) + convFlop(yf, 3, yt.shape[3]));
    h = t(`b${i} bn(+pool) fwd`, () => b.bnF.forward(yf, 'train'));
    shapes.push({ t: yt, f: yf });
  });
  const logits = t('head fwd', () => net.head.forward(net.globalPool.forward(h, 'train'), 'train'));
  const { dlogits } = ce.forward(logits, labels);
  let d = t('head bwd', () => net.globalPool.backward(net.head.backward(dlogits)));
  for (let i = net.blocks.length - 1; i >= 0; i--) {
    const b = net.blocks[i];
    const cin = i === 0 ? 1 : net.blocks[i - 1].convF.outChannels;
    d = t(`b${i} bn(+pool) bwd`, () => b.bnF.backward(d));
    const df = d;
    d = t(`b${i} conv1x3 bwd`, () => b.convF.backward(df), convFlop(shapes[i].f, 3, b.convT.outChannels) * 2);
    d = t(`b${i} bn bwd`, () => b.bnT.backward(d));
    const dt = d;
    if (i > 0) d = t(`b${i} conv3x1 bwd`, () => b.convT.backward(dt), convFlop(shapes[i].t, 3, cin) * 2);
    else t(`b${i} conv3x1 bwd`, () => b.convT.backwardParams(dt), convFlop(shapes[i].t, 3, cin));
  }
  t('adam', () => opt.step());
  engine.reset(mark);
}

/** Mean CPU milliseconds per call, and the fastest wall-clock call (least disturbed by other processes). */
function run(fn: () => void): { cpu: number; best: number } {
  const c0 = cpuMs();
  let best = Infinity;
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { cpu: (cpuMs() - c0) / STEPS, best };
}

for (let i = 0; i < 2; i++) step(false);
const train = run(() => step(false));
for (let i = 0; i < STEPS; i++) step(true);

const folded = net.fold();
const infer = (): void => {
  const mark = engine.mark();
  folded.forward(engine.fromValues([B, H, W, 1], input), 'eval');
  engine.reset(mark);
};
infer();
const inference = run(infer);

console.log(
  `reference encoder, batch ${B}, 1 thread, ${engine.relaxedSimd ? 'relaxed SIMD (FMA)' : 'SIMD'} kernels, mean CPU time of ${STEPS} steps`,
);
let total = 0;
for (const ms of times.values()) total += ms / STEPS;
for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1])) {
  const per = ms / STEPS;
  const f = flops.get(k);
  const gf = f ? `  ${(f / (ms / 1000) / 1e9).toFixed(1).padStart(5)} GFLOP/s` : '';
  console.log(
    `${k.padEnd(18)} ${per.toFixed(2).padStart(7)} ms ${((100 * per) / total).toFixed(1).padStart(5)}%${gf}`,
  );
}
const report = (what: string, r: { cpu: number; best: number }): void =>
  console.log(
    `${what}: ${r.cpu.toFixed(1)} ms CPU = ${((B * 1000) / r.cpu).toFixed(0)} ex/s; ` +
      `best wall ${r.best.toFixed(1)} ms = ${((B * 1000) / r.best).toFixed(0)} ex/s`,
  );
report('training step (fwd + bwd + Adam)', train);
report('inference (folded conv+BN+ReLU)', inference);
console.log(
  `wasm memory ${(engine.arena.memoryBytes() / 2 ** 20).toFixed(0)} MiB, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);
console.log(
  `scratch high water ${(engine.arena.scratch.highWater() / 2 ** 20).toFixed(0)} MiB, reserved ${(engine.arena.scratch.reserved() / 2 ** 20).toFixed(0)} MiB, persistent ${(engine.arena.persistent.reserved() / 2 ** 20).toFixed(0)} MiB`,
);
