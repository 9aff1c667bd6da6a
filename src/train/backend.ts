import * as tf from '@tensorflow/tfjs';
import { UsageError, UserError } from '../errors.js';
import { registerWasmConvFilterGrad } from './step/wasm-conv-filter-grad.js';

/** Backends `--backend` accepts. `auto` = tensorflow when `@tensorflow/tfjs-node` is installed, else wasm. */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** Validate a `--backend` value. */
export function parseBackend(value: string): BackendChoice {
  if (!(BACKENDS as readonly string[]).includes(value)) {
    throw new UsageError(`--backend: unknown backend '${value}'; valid: ${BACKENDS.join(', ')}`);
  }
  return value as BackendChoice;
}

async function tryTfjsNode(): Promise<boolean> {
  try {
    // Optional: never a dependency (its install downloads libtensorflow), used when the user has it.
    const name = '@tensorflow/tfjs-node';
    await import(name);
    return tf.findBackend('tensorflow') !== null || tf.engine().registryFactory['tensorflow'] !== undefined;
  } catch {
    return false;
  }
}

/**
 * Select and initialise a tfjs backend. Returns the name of the backend in use.
 * @throws UserError for `tensorflow` when `@tensorflow/tfjs-node` is not installed.
 */
export async function initBackend(choice: BackendChoice): Promise<string> {
  tf.env().set('IS_TEST', false);
  let name: string = choice;
  if (choice === 'auto') name = (await tryTfjsNode()) ? 'tensorflow' : 'wasm';
  else if (choice === 'tensorflow' && !(await tryTfjsNode())) {
    throw new UserError(
      "--backend tensorflow: @tensorflow/tfjs-node is not installed; install it with 'npm install @tensorflow/tfjs-node' (it downloads libtensorflow) or use --backend wasm",
      2,
    );
  }
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmConvFilterGrad();
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new UserError(`--backend ${name}: the backend failed to initialise`);
  await tf.ready();
  if (tf.getBackend() === 'cpu') quietFirstWrite();
  return tf.getBackend();
}

/**
 * The cpu backend advertises tfjs-node in a four-line banner on stderr at its first tensor; here that banner would
 * break the one-line output of commands that only build a model. Making that first tensor with console.warn
 * silenced spends the banner and leaves every later warning alone.
 */
function quietFirstWrite(): void {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    tf.tensor1d([0]).dispose();
  } finally {
    console.warn = warn;
  }
}
