// Writes a set of the page generators to a folder, to look at or to run the CLI over:
//   node --import tsx bench/generate-pages/write-set.ts --kind box --split evaluation --count 50 --out /tmp/box
// --kind is a paper (plain, box, underline, ruled, squared, margin, comb) or 'sums'; --split tuning|evaluation picks
// the bench's seed (or --seed N). Pictures are 00000.png/.jpg onwards; truth.json lists [{file, text, boxes}].
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readMnist } from '../../src/data/idx.js';
import { sumPicture } from '../generate-sums/sums.js';
import { pageNumber, PAPERS, type Paper } from './numbers.js';
import { SPLIT_SEEDS, type Split } from './splits.js';

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    split: { type: 'string' },
    seed: { type: 'string' },
    count: { type: 'string', default: '50' },
    out: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`write-set: ${message}`);
  process.exit(2);
}

const kinds = [...PAPERS, 'sums'];
const kind = values.kind ?? '';
if (!kinds.includes(kind)) fail(`--kind must be one of ${kinds.join(', ')}, got '${kind}'`);
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1) fail(`--count must be a positive integer, got '${values.count}'`);
let seed: number;
if (values.seed !== undefined) {
  seed = Number(values.seed);
  if (!Number.isInteger(seed)) fail(`--seed must be an integer, got '${values.seed}'`);
} else {
  const split = (values.split ?? 'tuning') as Split;
  if (!(split in SPLIT_SEEDS)) fail(`--split must be tuning or evaluation, got '${values.split}'`);
  seed = SPLIT_SEEDS[split];
}
if (!values.out) fail('--out DIR is required');
const out = values.out;

const mnist = await readMnist('test');
mkdirSync(out, { recursive: true });
const truth: { file: string; text: string; boxes: unknown }[] = [];
const started = performance.now();
for (let i = 0; i < count; i++) {
  const pic =
    kind === 'sums'
      ? (await sumPicture(mnist, seed, i)).picture
      : (await pageNumber(mnist, seed, i, kind as Paper)).picture;
  const file = `${String(i).padStart(5, '0')}.${pic.format === 'jpeg' ? 'jpg' : 'png'}`;
  writeFileSync(path.join(out, file), pic.bytes);
  truth.push({ file, text: pic.text, boxes: pic.boxes });
}
writeFileSync(path.join(out, 'truth.json'), `${JSON.stringify(truth, null, 1)}\n`);
console.log(
  `${count} ${kind} pictures (seed ${seed}) in ${out}, ${((performance.now() - started) / count).toFixed(1)} ms each`,
);
