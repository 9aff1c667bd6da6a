// Writes a generated set to a folder to look at or to run the CLI over:
//   node --import tsx bench/generate/write-set.ts --kind photo-digits|numbers-photo|numbers-scan --count N --seed S --out DIR
// Pictures are 00000.jpg (or .png) onwards; truth.json lists [{file, text, boxes}] in the same order.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readMnist } from '../../src/data/idx.js';
import { numberPicture } from './numbers.js';
import { photoDigit } from './photo-digits.js';
import type { GeneratedPicture } from './types.js';

const KINDS = ['photo-digits', 'numbers-photo', 'numbers-scan'] as const;
type Kind = (typeof KINDS)[number];

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    count: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    'min-digits': { type: 'string' },
    'max-digits': { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`write-set: ${message}`);
  process.exit(2);
}

const kind = values.kind as Kind;
if (!KINDS.includes(kind)) fail(`--kind must be one of ${KINDS.join(', ')}, got '${values.kind ?? ''}'`);
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1) fail(`--count must be a positive integer, got '${values.count}'`);
if (!Number.isInteger(seed)) fail(`--seed must be an integer, got '${values.seed}'`);
if (!values.out) fail('--out DIR is required');
const opts = {
  minDigits: values['min-digits'] === undefined ? undefined : Number(values['min-digits']),
  maxDigits: values['max-digits'] === undefined ? undefined : Number(values['max-digits']),
};

const mnist = await readMnist('test');
const out = values.out;
mkdirSync(out, { recursive: true });
const truth: { file: string; text: string; boxes: GeneratedPicture['boxes'] }[] = [];
const started = performance.now();
for (let i = 0; i < count; i++) {
  const pic =
    kind === 'photo-digits'
      ? await photoDigit(mnist, seed, i)
      : await numberPicture(mnist, seed, i, kind === 'numbers-photo' ? 'photo' : 'scan', opts);
  const file = `${String(i).padStart(5, '0')}.${pic.format === 'jpeg' ? 'jpg' : 'png'}`;
  writeFileSync(path.join(out, file), pic.bytes);
  truth.push({ file, text: pic.text, boxes: pic.boxes });
}
writeFileSync(path.join(out, 'truth.json'), `${JSON.stringify(truth, null, 1)}\n`);
const ms = performance.now() - started;
console.log(`${count} ${kind} pictures (seed ${seed}) in ${out}, ${(ms / count).toFixed(1)} ms each`);
