// The layering of docs/architecture.md as ESLint rules: floors (a file may import its own floor and the ones below,
// never one above), the shared runtime's "no Node, no DOM" promise, and the few rooms that must not reach a
// sibling on a higher floor. One table, read by eslint.config.js and by the test that lints fixtures against it.
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createNodeResolver } from 'eslint-plugin-import-x';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Floors from the bottom up. A file on one floor may import files of its own floor and of lower floors only.
 * Folders end in '/'; `dist/` mirrors `src/` so that build scripts importing compiled code obey the same order.
 */
export const FLOORS = [
  ['src/errors.ts', 'src/version.ts', 'src/optional-packages.ts', 'src/threads/', 'src/onnx/'],
  ['src/fs/'],
  ['src/data/'],
  ['src/runtime/'],
  ['src/train/', 'src/server/', 'web/'],
  ['src/export/'],
  ['src/jobs/'],
  ['src/commands/'],
  ['src/cli.ts', 'src/index.ts', 'src/api/'],
];

/** Sideways and downward imports that the floors allow but the house forbids. */
export const FORBIDDEN = [
  {
    target: ['web/'],
    from: ['src/runtime/node/', 'dist/runtime/node/'],
    message: 'the widget runs in browsers: it may use the shared runtime, never its Node backend',
  },
  {
    target: ['src/train/', 'src/export/'],
    from: ['src/runtime/node/', 'src/server/', 'web/', 'src/jobs/'],
    message: 'training and export stay below the runtimes and the jobs that use them',
  },
  {
    target: ['src/train/'],
    from: ['src/runtime/'],
    except: ['./contract.ts', './ink/fit.ts', './ink/image.ts'],
    message:
      "training takes from the runtime only the contract and the fit (src/train/data/fit-picture.ts), never the reader's ink finding or segmentation: those are tuned on photos and change with them, and a training set must depend only on its recipe and seed",
  },
  {
    target: ['src/runtime/*.ts', 'src/runtime/!(node)/**'],
    from: ['src/runtime/node/'],
    message: 'the shared runtime cannot depend on its Node backend',
  },
];

// DOM names so generic that the runtime's own types may use them; their value uses are still caught as globals.
const GENERIC_NAMES = new Set(['Option', 'Image', 'Text', 'Range', 'Comment', 'Selection', 'Plugin', 'Path2D']);

/** Globals of browsers that Node does not have: the shared runtime must not name them, even as types. */
function domOnlyGlobals(globals, { asTypes = false } = {}) {
  const shared = new Set([
    ...Object.keys(globals.node),
    ...Object.keys(globals.es2021),
    ...Object.keys(globals.worker),
  ]);
  return Object.keys(globals.browser).filter((name) => !shared.has(name) && !(asTypes && GENERIC_NAMES.has(name)));
}

function withDist(folders) {
  return folders.flatMap((f) => (f.startsWith('src/') ? [f, 'dist/' + f.slice(4).replace(/\.ts$/, '.js')] : [f]));
}

function zones() {
  const out = [];
  FLOORS.forEach((floor, i) => {
    const above = withDist(FLOORS.slice(i + 1).flat());
    if (above.length === 0) return;
    out.push({
      target: floor,
      from: above,
      message: `floor ${i + 1} imports a higher floor (see docs/architecture.md: lower rooms never import higher ones)`,
    });
  });
  return [...out, ...FORBIDDEN];
}

const NODE_BUILTINS = [...new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))];

/**
 * The flat-config entries for the house rules.
 * @param {typeof import('globals')} globals the `globals` package, passed in so this file has one import of it
 */
export function houseImportRules(globals) {
  return [
    {
      settings: {
        'import-x/ignore': ['node_modules'],
        'import-x/resolver-next': [
          createNodeResolver({
            extensions: ['.ts', '.js', '.mjs', '.json'],
            extensionAlias: { '.js': ['.ts', '.js'] },
          }),
        ],
      },
      rules: {
        'import-x/no-cycle': 'error',
        'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: zones() }],
      },
    },
    {
      files: ['src/runtime/**/*.ts'],
      ignores: ['src/runtime/node/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: NODE_BUILTINS.map((name) => ({
              name,
              message: 'the shared runtime runs in browsers too: Node modules belong in src/runtime/node/',
            })),
          },
        ],
        '@typescript-eslint/no-restricted-types': [
          'error',
          {
            types: Object.fromEntries(
              domOnlyGlobals(globals, { asTypes: true }).map((name) => [
                name,
                { message: 'the shared runtime runs in Node too: DOM types belong in web/' },
              ]),
            ),
          },
        ],
        'no-restricted-globals': [
          'error',
          ...domOnlyGlobals(globals).map((name) => ({
            name,
            message: 'the shared runtime runs in Node too: DOM types and globals belong in web/',
          })),
          ...['process', 'Buffer', '__dirname', '__filename', 'require'].map((name) => ({
            name,
            message: 'the shared runtime runs in browsers too: Node globals belong in src/runtime/node/',
          })),
        ],
      },
    },
  ];
}
