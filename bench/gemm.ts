// Single-core float32 GEMM throughput of the engine's conv kernels (wasm/conv.ts) against the
// machine: a plain JavaScript triple loop as the floor, OpenBLAS (92 GFLOP/s on this CPU, measured
// for DESIGN.md §3) as the ceiling. Shapes: a square 256³ GEMM (a 1×1 conv over 256 pixels) and the
// reference encoder's convolutions at batch 64, each pass (forward, backward data, backward filter).
//   npm run bench:gemm [-- --seconds 0.3]
import { parseArgs } from 'node:util';
import { Rng } from '../src/common/index.js';
import { Conv2d, createEngine, type Engine, type Tensor } from '../src/engine/index.js';

const OPENBLAS_GFLOPS = 92;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '0.3' } } });
const SECONDS = Number(values.seconds);

/** Seconds of CPU time used by this process: on a shared machine it measures one core's work. */
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Median GFLOP/s (by CPU time and by wall time) over 5 runs of at least SECONDS each, after a warm-up. */
function measure(flop: number, fn: () => void): { cpu: number; wall: number } {
  fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = performance.now();
    const c0 = cpuSeconds();
    do {
      fn();
      n++;
    } while (cpuSeconds() - c0 < SECONDS / 5);
    cpu.push((flop * n) / (cpuSeconds() - c0) / 1e9);
    wall.push((flop * n) / ((performance.now() - t0) / 1000) / 1e9);
  }
  const median = (v: number[]): number => v.sort((a, b) => a - b)[2];
  return { cpu: median(cpu), wall: median(wall) };
}

function jsGemm(a: Float32Array, b: Float32Array, c: Float32Array, M: number, K: number, N: number): void {
  c.fill(0);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      for (let j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
    }
}

interface Row {
  shape: string;
  pass: string;
  gflops: { cpu: number; wall: number };
}

function convRows(
  engine: Engine,
  label: string,
  shape: number[],
  cout: number,
  kernel: [number, number],
): Row[] {
  const rng = new Rng(1);
  const [B, H, W, C] = shape;
  const conv = new Conv2d(engine, label, { inChannels: C, outChannels: cout, kernel });
  const mark = engine.mark();
  const x = engine.fromValues(
    shape,
    Float32Array.from({ length: B * H * W * C }, () => rng.normal()),
  );
  let y: Tensor = conv.forward(x, 'train');
  const dy = engine.fromValues(
    y.shape,
    Float32Array.from({ length: y.size }, () => rng.normal()),
  );
  const flop = 2 * y.size * kernel[0] * kernel[1] * C;
  const inner = (fn: () => void) => () => {
    const m = engine.mark();
    fn();
    engine.reset(m);
  };
  const m = `M=${B * H * W} K=${kernel[0] * kernel[1] * C} N=${cout}`;
  const rows = [
    {
      shape: `${label} ${m}`,
      pass: 'forward',
      gflops: measure(
        flop,
        inner(() => (y = conv.forward(x, 'train'))),
      ),
    },
    {
      shape: '',
      pass: 'backward filter',
      gflops: measure(
        flop,
        inner(() => conv.backwardParams(dy)),
      ),
    },
  ];
  if (C > 1) {
    // backward() = backward filter + backward data; report the data pass alone.
    const both = measure(
      2 * flop,
      inner(() => conv.backward(dy)),
    );
    const data = (k: 'cpu' | 'wall'): number => flop / ((2 * flop) / both[k] - flop / rows[1].gflops[k]);
    rows.push({ shape: '', pass: 'backward data', gflops: { cpu: data('cpu'), wall: data('wall') } });
  }
  engine.reset(mark);
  return rows;
}

const engine = await createEngine();
const rows: Row[] = [];
{
  const S = 256;
  const rng = new Rng(2);
  const a = Float32Array.from({ length: S * S }, () => rng.normal());
  const b = Float32Array.from({ length: S * S }, () => rng.normal());
  const c = new Float32Array(S * S);
  rows.push({
    shape: '256x256x256',
    pass: 'plain JS triple loop',
    gflops: measure(2 * S ** 3, () => jsGemm(a, b, c, S, S, S)),
  });
  rows.push(
    ...convRows(engine, 'gemm', [S, 1, 1, S], S, [1, 1])
      .slice(0, 1)
      .map((r) => ({ ...r, shape: '256x256x256 (1x1 conv)' })),
  );
}
const encoder: [string, number[], number, [number, number]][] = [];
let [h, w, cin] = [96, 64, 1];
[8, 16, 32, 64, 128, 256].forEach((cout, i) => {
  encoder.push([`b${i} conv3x1`, [64, h, w, cin], cout, [3, 1]]);
  encoder.push([`b${i} conv1x3`, [64, h, w, cout], cout, [1, 3]]);
  [h, w, cin] = [h / 2, w / 2, cout];
});
for (const [label, shape, cout, kernel] of encoder)
  rows.push(...convRows(engine, label, shape, cout, kernel));

const load = (await import('node:os')).loadavg()[0];
console.log(
  `single-core float32 GEMM, ${engine.relaxedSimd ? 'relaxed SIMD (FMA)' : 'SIMD'} kernels, median of 5 runs (load average ${load.toFixed(1)} when done)`,
);
console.log(
  `GFLOP/s by this process's CPU time and by wall time; ratio (CPU) to OpenBLAS here, ${OPENBLAS_GFLOPS} GFLOP/s`,
);
console.log(
  `${'shape'.padEnd(36)} ${'pass'.padEnd(22)} ${'CPU'.padStart(7)} ${'wall'.padStart(7)} ${'vs OpenBLAS'.padStart(12)}`,
);
for (const r of rows) {
  const ratio = `${((100 * r.gflops.cpu) / OPENBLAS_GFLOPS).toFixed(0)}%`;
  const [c, w] = [r.gflops.cpu.toFixed(1).padStart(7), r.gflops.wall.toFixed(1).padStart(7)];
  console.log(`${r.shape.padEnd(36)} ${r.pass.padEnd(22)} ${c} ${w} ${ratio.padStart(12)}`);
}
