// Compiles the AssemblyScript kernels in wasm/ to build/kernels.wasm (SIMD enabled), with a text
// listing (build/kernels.wat) and generated type declarations of the exports (build/kernels.d.ts),
// which src/engine/wasm.ts imports as the `Kernels` type. Run by `npm install` through the prepare
// script; build output is never committed.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';

mkdirSync('build', { recursive: true });
const { error, stderr } = await asc.main([
  'wasm/index.ts',
  '--outFile',
  'build/kernels.wasm',
  '--textFile',
  'build/kernels.wat',
  '--bindings',
  'raw',
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  '--noAssert',
  '--runtime',
  'stub',
  '--enable',
  'simd',
  '--importMemory',
  '--maximumMemory',
  '65536',
]);
if (error) {
  console.error(stderr.toString());
  console.error(`wasm build failed: ${error.message}`);
  process.exit(1);
}
console.log('built build/kernels.wasm');
