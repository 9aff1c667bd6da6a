// Compiles the training kernels (kernels/*.ts, AssemblyScript with SIMD) to dist/kernels/train-kernels.wasm.
// Part of `npm run build`: the binary is always made here from the sources in the repository, never fetched.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist', 'kernels', 'train-kernels.wasm');
mkdirSync(path.dirname(out), { recursive: true });
const { error, stderr } = await asc.main([
  path.join(root, 'kernels', 'index.ts'),
  '--outFile',
  out,
  '-O3',
  '--runtime',
  'stub',
  '--enable',
  'simd',
  // The kernels trust the layout the caller computed; bounds are the caller's job.
  '--noAssert',
]);
if (error) {
  console.error(stderr.toString());
  console.error(`training kernels: ${error.message}`);
  process.exit(1);
}
console.log(`training kernels: ${path.relative(root, out)}`);
