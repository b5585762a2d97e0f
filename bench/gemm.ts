// Single-core float32 GEMM throughput of the engine's conv kernels (wasm/conv.ts) against the
// machine: a plain JavaScript triple loop as the floor, OpenBLAS (92 GFLOP/s on this CPU, measured
// for DESIGN.md §3) as the ceiling. Shapes: a square 256³ GEMM (a 1×1 conv over 256 pixels) and the
// reference encoder's convolutions at batch 64, each pass (forward, backward data, backward filter).
//   npm run bench:gemm [-- --seconds 0.3]
import { parseArgs } from 'node:util';
import { Rng } from '../src/common/index.js';
import { createEngine } from '../src/engine/index.js';
import { convRows, jsGemm, measure, OPENBLAS_GFLOPS, type Row } from './gemm-lib.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '0.3' } } });
const SECONDS = Number(values.seconds);

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
    gflops: measure(2 * S ** 3, () => jsGemm(a, b, c, S, S, S), SECONDS),
  });
  rows.push(
    ...convRows(engine, 'gemm', [S, 1, 1, S], S, [1, 1], SECONDS)
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
  rows.push(...convRows(engine, label, shape, cout, kernel, SECONDS));

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
