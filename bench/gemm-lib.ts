// Shared pieces of the GEMM benchmarks: CPU-time GFLOP/s measurement, the plain-JS floor and the
// conv-pass rows (forward, backward filter, backward data) of one convolution shape.
import { Rng } from '../src/common/index.js';
import { Conv2d, type Engine, type Tensor } from '../src/engine/index.js';
import { median } from './median.js';

export const OPENBLAS_GFLOPS = 92;

/** Seconds of CPU time used by this process: on a shared machine it measures one core's work. */
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Median GFLOP/s (by CPU time and by wall time) over 5 runs of at least SECONDS each, after a warm-up. */
export function measure(flop: number, fn: () => void, SECONDS = 0.3): { cpu: number; wall: number } {
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
  return { cpu: median(cpu), wall: median(wall) };
}

export function jsGemm(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  M: number,
  K: number,
  N: number,
): void {
  c.fill(0);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      for (let j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
    }
}

export interface Row {
  shape: string;
  pass: string;
  gflops: { cpu: number; wall: number };
}

export function convRows(
  engine: Engine,
  label: string,
  shape: number[],
  cout: number,
  kernel: [number, number],
  seconds = 0.3,
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
        seconds,
      ),
    },
    {
      shape: '',
      pass: 'backward filter',
      gflops: measure(
        flop,
        inner(() => conv.backwardParams(dy)),
        seconds,
      ),
    },
  ];
  if (C > 1) {
    // backward() = backward filter + backward data; report the data pass alone.
    const both = measure(
      2 * flop,
      inner(() => conv.backward(dy)),
      seconds,
    );
    const data = (k: 'cpu' | 'wall'): number => flop / ((2 * flop) / both[k] - flop / rows[1].gflops[k]);
    rows.push({ shape: '', pass: 'backward data', gflops: { cpu: data('cpu'), wall: data('wall') } });
  }
  engine.reset(mark);
  return rows;
}
