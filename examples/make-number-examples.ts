// Makes the multi-digit sample pictures from the benchmark's generators: a phone photo of a 4-digit number
// and a clean scan of a 5-digit number, each named after the digits it shows. Deterministic: run
// `node --import tsx examples/make-number-examples.ts` to rebuild them byte for byte.
import { writeFileSync } from 'node:fs';
import { readMnist } from '../src/data/idx.js';
import { numberPicture } from '../bench/generate/numbers.js';

// A set of its own for the examples, apart from the seeds the benches use; the two items were chosen by eye
// for legible handwriting, since a sample that even people misread would teach nothing.
const SEED = 2026;
const PHOTO_ITEM = 5;
const SCAN_ITEM = 7;
const mnist = await readMnist('test');
const dir = new URL('.', import.meta.url).pathname;

const photo = await numberPicture(mnist, SEED, PHOTO_ITEM, 'photo', { minDigits: 4, maxDigits: 4 });
const scan = await numberPicture(mnist, SEED, SCAN_ITEM, 'scan', { minDigits: 5, maxDigits: 5 });
const files = [`photo-number-${photo.text}.jpg`, `scan-number-${scan.text}.png`];
writeFileSync(`${dir}${files[0]}`, photo.bytes);
writeFileSync(`${dir}${files[1]}`, scan.bytes);
console.log(files.map((f, i) => `${f} (${[photo, scan][i].bytes.length} bytes)`).join('\n'));
