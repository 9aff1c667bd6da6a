// npm run models: retrain and re-export the committed models with the project's own commands, then show
// that they reproduce: the weights file (named after its content) must be the one already committed, and
// each ONNX file must equal the committed one byte for byte once the training date is set aside.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const cli = path.resolve('bin/lenet-onnx.js');
// Each model: how to make it; the main job makes lenet5 (train, export, verify, evaluate).
const MODELS = [
  {
    name: 'lenet5',
    steps: [
      ['all', '--out', 'models'],
      ['export', 'models/lenet5', '--quantize', 'int8'],
    ],
    onnx: ['models/lenet5.onnx', 'models/lenet5.int8.onnx'],
  },
  // The runtime's default: the same network and recipe trained four times as long (docs/training.md says why),
  // with an output for "not one character" and digits in styles MNIST lacks, for the line reader.
  {
    name: 'lenet5-e20',
    steps: [
      ['train', '--symbols', 'reading', '--epochs', '20', '--out', 'models/lenet5-e20'],
      ['export', 'models/lenet5-e20'],
      ['export', 'models/lenet5-e20', '--quantize', 'int8'],
      ['evaluate', '--model', 'models/lenet5-e20.onnx'],
    ],
    onnx: ['models/lenet5-e20.onnx', 'models/lenet5-e20.int8.onnx'],
  },
  {
    name: 'classic',
    steps: [
      ['train', '--arch', 'classic', '--out', 'models/classic'],
      ['export', 'models/classic'],
    ],
    onnx: ['models/classic.onnx'],
  },
  // Sums are read a character at a time, so the arithmetic model is trained as long as the runtime's digit model.
  {
    name: 'arithmetic',
    steps: [
      ['train', '--symbols', 'arithmetic', '--epochs', '20', '--out', 'models/arithmetic'],
      ['export', 'models/arithmetic'],
      ['export', 'models/arithmetic', '--quantize', 'int8'],
    ],
    onnx: ['models/arithmetic.onnx', 'models/arithmetic.int8.onnx'],
  },
];

function git(...args) {
  const r = spawnSync('git', args, { encoding: 'buffer' });
  return r.status === 0 ? r.stdout : undefined;
}

const committed = (file) => git('show', `HEAD:${file}`);
const weightsFiles = (dir) =>
  readdirSync(dir)
    .filter((f) => /^weights\..*\.bin$/.test(f))
    .sort();
// ISO dates are of one length, so blanking them keeps every other byte in place.
const undated = (buf) =>
  Buffer.from(
    buf.toString('latin1').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, (m) => '0'.repeat(m.length)),
    'latin1',
  );

const only = process.argv.slice(2);
let failed = 0;
for (const m of MODELS.filter((x) => only.length === 0 || only.includes(x.name))) {
  for (const args of m.steps) {
    console.log(`\n$ lenet-onnx ${args.join(' ')}`);
    const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`lenet-onnx ${args.join(' ')} failed (exit ${r.status})`);
      process.exit(1);
    }
  }
  const dir = `models/${m.name}`;
  const weights = weightsFiles(dir);
  const sameWeights = weights.every((f) => committed(`${dir}/${f}`) !== undefined);
  const changed = m.onnx.filter((onnx) => {
    const before = committed(onnx);
    return before === undefined || !undated(before).equals(undated(readFileSync(onnx)));
  });
  console.log(
    `\n${m.name}: weights ${weights.join(', ')} ${sameWeights ? 'as committed' : 'DIFFER from the committed ones'}; ${changed.length ? `${changed.join(', ')} DIFFER from the committed files` : `${m.onnx.join(', ')} the same bytes apart from the date`}`,
  );
  if (!sameWeights || changed.length) failed++;
}
if (failed) {
  console.log(
    `\n${failed} model(s) changed: review them (git diff --stat models/) and commit them with a note on why.`,
  );
  process.exit(1);
}
console.log('\nevery model reproduces; only dates changed (git checkout models/ restores the committed files).');
