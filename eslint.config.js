// Lint rules of the house: typescript-eslint's recommended set, Prettier for layout, and import rules that state
// the layering of docs/architecture.md so that breaking it fails CI instead of waiting for a reviewer.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { houseImportRules } from './scripts/lint/house-rules.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'web/types/**',
      'bench/.work/**',
      'runs/**',
      'test-output/**',
      'src/onnx/schema.ts', // generated from proto/onnx.proto
      'src/train/step/kernel-binding.d.ts', // generated from kernels/ by AssemblyScript
      'kernels/**', // AssemblyScript, whose decorators on functions are not TypeScript
      'test/lint/fixtures/**', // files that break the house rules on purpose
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['web/src/**/*.ts', 'web/demo/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests and benchmarks reach into pages and internals where a loose type is the honest one.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { plugins: { 'import-x': importX } },
  ...houseImportRules(globals),
  prettier,
);
