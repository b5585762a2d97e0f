// Compiles the AssemblyScript kernels in wasm/ to build/kernels.wasm (SIMD enabled). Run by
// `npm install` through the prepare script; build output is never committed.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';

mkdirSync('build', { recursive: true });
const { error, stderr } = await asc.main([
  'wasm/index.ts',
  '--outFile',
  'build/kernels.wasm',
  '--textFile',
  'build/kernels.wat',
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
  '--initialMemory',
  '1',
  '--maximumMemory',
  '65536',
]);
if (error) {
  console.error(stderr.toString());
  console.error(`wasm build failed: ${error.message}`);
  process.exit(1);
}
console.log('built build/kernels.wasm');
