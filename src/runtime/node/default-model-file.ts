/**
 * The default model's file inside this package, wherever it is installed and whatever the current folder: the
 * shared runtime names it relative to the package, this resolves it against the package's root.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ONNX_MODEL as IN_PACKAGE } from '../default-model.js';

/** The package's root folder: this file sits three levels down, as src/runtime/node/*.ts and dist/runtime/node/*.js. */
export const PACKAGE_ROOT: string = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of the default model (`models/lenet5-e20.onnx` of this package). */
export const DEFAULT_ONNX_MODEL: string = path.join(PACKAGE_ROOT, IN_PACKAGE);
