// Compiles the AssemblyScript kernels in wasm/ twice: build/kernels.wasm with WebAssembly SIMD, and
// build/kernels-relaxed.wasm that also uses relaxed SIMD (fused multiply-add in the GEMM tiles),
// which src/engine/wasm.ts picks when the runtime validates it (Chromium, Node ≥ 22, or Node 20 with
// --experimental-wasm-relaxed-simd). Each comes with a text listing (.wat) and generated type
// declarations (.d.ts), which test/engine-kernels.test.ts checks the Kernels interface against.
// Run by `npm install` through the prepare script; build output is never committed.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';

const common = [
  '--bindings',
  'raw',
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  '--noAssert',
  '--runtime',
  'stub',
  '--importMemory',
  '--maximumMemory',
  '65536',
];
const variants = [
  { out: 'kernels', flags: ['--enable', 'simd', '--use', 'RELAXED=0'] },
  { out: 'kernels-relaxed', flags: ['--enable', 'simd,relaxed-simd', '--use', 'RELAXED=1'] },
];

mkdirSync('build', { recursive: true });
for (const { out, flags } of variants) {
  const { error, stderr } = await asc.main([
    'wasm/index.ts',
    '--outFile',
    `build/${out}.wasm`,
    '--textFile',
    `build/${out}.wat`,
    ...common,
    ...flags,
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`wasm build failed (${out}): ${error.message}`);
    process.exit(1);
  }
  console.log(`built build/${out}.wasm`);
}
