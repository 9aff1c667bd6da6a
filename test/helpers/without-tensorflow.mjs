// Loaded with `node --import`: makes every @tensorflow/* package unresolvable, as in an install without the
// optional training packages, and notes each attempt on stderr so a test can tell none was made.
import { register } from 'node:module';

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@tensorflow/')) {
    process.stderr.write('[tried to import ' + specifier + ']\\n');
    const err = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}
`;
register('data:text/javascript,' + encodeURIComponent(hooks));
