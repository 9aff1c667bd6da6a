import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file sits two levels down, both as src/server/*.ts and as dist/server/*.js. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Where `npm run build:web` puts the demo page, the element's module, the runtime files and the model. */
export function webDistDir(): string {
  return path.join(packageRoot(), 'web', 'dist');
}

/** URL path at which the demo page (and the element, by default) expects the model. */
export const MODEL_URL_PATH = '/lenet5.onnx';
