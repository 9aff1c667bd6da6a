// Benchmark of reading real-looking pictures, on seeded sets the bench generates from MNIST *test* digits
// (bench/generate/): photo-like single digits through `predict` and `read`; numbers of 2-7 digits, photographed
// and scanned, through `read`, with failures sorted by cause; and `read` throughput on 640x480 JPEG photos of
// 4-digit numbers, decoding included; then the independent sets of bench/read-sets.ts. Sets are written once into bench/.work/read and kept between runs.
// Run: npm run bench:read   (LENET_BENCH_FULL=1 for larger sets)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readMnist, type IdxDataset } from '../src/data/idx.js';
import { predictStream, type PredictRow } from '../src/runtime/node/predict.js';
import type { ReadRow } from '../src/runtime/node/read.js';
import { writeDebugPicture } from '../src/jobs/read-debug.js';
import { readModelFile } from '../src/runtime/node/model-file.js';
import { readStream } from '../src/runtime/node/read-stream.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel } from '../src/runtime/node/session.js';
import { walkPictures } from '../src/runtime/node/walk.js';
import { numberDigits, numberPicture } from './generate/numbers.js';
import { photoDigit, photoDigitIndex } from './generate/photo-digits.js';
import { misreadDigits } from './misread.js';
import { benchReadSets } from './read-sets.js';
import type { GeneratedPicture } from './generate/types.js';
import { median } from './stats.js';

const WORK = 'bench/.work/read';
const FULL = process.env.LENET_BENCH_FULL === '1';
const MODEL = process.env.LENET_BENCH_ONNX ?? DEFAULT_ONNX_MODEL;
const WORKERS = Math.min(2, availableParallelism());

interface Truth {
  file: string;
  text: string;
}

/** Write a generated set once (kept while its size and seed match); returns its truth list in file order. */
async function ensureSet(
  name: string,
  count: number,
  make: (i: number) => Promise<GeneratedPicture>,
): Promise<{ dir: string; truth: Truth[] }> {
  const dir = path.join(WORK, name);
  const truthFile = path.join(dir, 'truth.json');
  if (existsSync(truthFile)) {
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth[];
    if (truth.length === count) return { dir, truth };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const truth: Truth[] = [];
  for (let i = 0; i < count; i++) {
    const p = await make(i);
    const file = path.join(dir, `${String(i).padStart(5, '0')}.${p.format === 'jpeg' ? 'jpg' : 'png'}`);
    writeFileSync(file, p.bytes);
    truth.push({ file, text: p.text });
  }
  writeFileSync(truthFile, JSON.stringify(truth));
  return { dir, truth };
}

async function readAll(dir: string): Promise<{ rows: ReadRow[]; seconds: number }> {
  const t0 = performance.now();
  const rows: ReadRow[] = [];
  for await (const r of readStream(walkPictures([dir]), MODEL, { workers: WORKERS })) rows.push(r);
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

async function predictAll(dir: string): Promise<PredictRow[]> {
  const model = await loadDigitModel(MODEL);
  const rows: PredictRow[] = [];
  try {
    for await (const r of predictStream(walkPictures([dir]), model, { batchSize: 256, topK: 1, workers: WORKERS }))
      rows.push(r);
  } finally {
    await model.close();
  }
  return rows;
}

async function modelMisreads(mnist: IdxDataset): Promise<Set<number>> {
  const model = await loadDigitModel(MODEL);
  try {
    return await misreadDigits(model, mnist);
  } finally {
    await model.close();
  }
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

type Cause = 'ink finding' | 'merge' | 'split' | 'recognition';

/** Why a number was misread: no reading at all, too few characters, too many, or the right count misread. */
function causeOf(read: string | null, truth: string): Cause {
  if (read === null) return 'ink finding';
  if (read.length < truth.length) return 'merge';
  if (read.length > truth.length) return 'split';
  return 'recognition';
}

interface Failure {
  file: string;
  line: string;
}
interface NumberScore {
  exact: number;
  digitsRight: number;
  countRight: number;
  n: number;
  causes: Map<Cause, Failure[]>;
}

function scoreNumbers(rows: ReadRow[], truth: Truth[]): NumberScore {
  const byFile = new Map(truth.map((t) => [t.file, t.text]));
  let exact = 0,
    countRight = 0,
    digitsRight = 0,
    digits = 0;
  const causes = new Map<Cause, Failure[]>();
  for (const r of rows) {
    const t = byFile.get(r.path)!;
    digits += t.length;
    if (r.text === t) exact++;
    if (r.text !== null && r.text.length === t.length) countRight++;
    digitsRight += Math.max(0, t.length - editDistance(r.text ?? '', t));
    if (r.text !== t) {
      const c = causeOf(r.text, t);
      causes.set(c, [
        ...(causes.get(c) ?? []),
        { file: r.path, line: `${path.basename(r.path)} (${t} read ${r.text ?? `'${r.error}'`})` },
      ]);
    }
  }
  return {
    exact: exact / rows.length,
    digitsRight: digitsRight / digits,
    countRight: countRight / rows.length,
    n: rows.length,
    causes,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function printCauses(name: string, s: NumberScore): void {
  const parts = [...s.causes].map(([c, xs]) => `${c} ${xs.length}`);
  console.log(`  ${name} failures by cause: ${parts.join(', ') || 'none'}`);
  for (const [c, xs] of s.causes)
    console.log(
      `    ${c}: ${xs
        .slice(0, 3)
        .map((x) => x.line)
        .join('; ')}`,
    );
}

/** Margin kept around the characters read when a debug picture is cropped, in source pixels. */
const CROP_MARGIN = 48;

/** `row` with its debug picture cut down to the characters read and a margin, boxes moved to match. */
function croppedToInk(row: ReadRow): ReadRow {
  const { image, inputs } = row.debug!;
  if (row.digits.length === 0) return row;
  const x0 = Math.max(0, Math.min(...row.digits.map((d) => d.box.x)) - CROP_MARGIN);
  const y0 = Math.max(0, Math.min(...row.digits.map((d) => d.box.y)) - CROP_MARGIN);
  const x1 = Math.min(image.width, Math.max(...row.digits.map((d) => d.box.x + d.box.width)) + CROP_MARGIN);
  const y1 = Math.min(image.height, Math.max(...row.digits.map((d) => d.box.y + d.box.height)) + CROP_MARGIN);
  const width = x1 - x0,
    height = y1 - y0;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    data.set(image.data.subarray((y0 + y) * image.width + x0, (y0 + y) * image.width + x1), y * width);
  const digits = row.digits.map((d) => ({ ...d, box: { ...d.box, x: d.box.x - x0, y: d.box.y - y0 } }));
  return { ...row, digits, debug: { inputs, image: { width, height, data } } };
}

/** Where the bench leaves debug pictures of a few failures per cause, for BENCHMARKS.md to show. */
const EXAMPLES_DIR = 'docs/images/read-failures';
const EXAMPLES_PER_CAUSE = 2;

/**
 * Write `read --debug-dir`'s picture (the boxes read and the network's inputs), cropped to the ink, for the first
 * failures of each cause, named `<style>-<cause>-<file>.png`; the folder is emptied of that style's old pictures first.
 */
async function writeExamples(style: string, s: NumberScore): Promise<string[]> {
  mkdirSync(EXAMPLES_DIR, { recursive: true });
  for (const f of readdirSync(EXAMPLES_DIR)) if (f.startsWith(`${style}-`)) rmSync(path.join(EXAMPLES_DIR, f));
  const picked = [...s.causes].flatMap(([cause, xs]) =>
    xs.slice(0, EXAMPLES_PER_CAUSE).map((x) => ({ cause, file: x.file })),
  );
  if (picked.length === 0) return [];
  // the workers load the model; this thread needs only its contract, for the size of the inputs drawn
  const { contract } = await readModelFile(MODEL);
  const written: string[] = [];
  const walk = walkPictures(picked.map((p) => p.file));
  let i = 0;
  for await (const row of readStream(walk, MODEL, { workers: 1, keepDebug: true })) {
    const p = picked[i++];
    if (!row.debug) continue;
    const out = path.join(EXAMPLES_DIR, `${style}-${p.cause.replace(/ /g, '-')}-${path.basename(p.file)}.png`);
    await writeDebugPicture(out, croppedToInk(row), contract);
    written.push(out);
  }
  return written;
}

export async function benchRead(): Promise<void> {
  const mnist: IdxDataset = await readMnist('test');
  const nDigits = FULL ? 5000 : 1000,
    nNumbers = FULL ? 1000 : 300,
    nSpeed = FULL ? 2000 : 1000;
  const misread = await modelMisreads(mnist);
  // The model's ceiling: the share of pictures whose digits the model reads right in MNIST's own form.
  const ceiling = (n: number, digitsOf: (i: number) => number[]) => {
    let clean = 0;
    for (let i = 0; i < n; i++) if (!digitsOf(i).some((k) => misread.has(k))) clean++;
    return clean / n;
  };

  const digits = await ensureSet(`photo-digits-${nDigits}`, nDigits, (i) => photoDigit(mnist, 101, i));
  const [pRows, rRead] = [await predictAll(digits.dir), await readAll(digits.dir)];
  const truthOf = new Map(digits.truth.map((t) => [t.file, t.text]));
  const predictRight = pRows.filter((r) => r.digit === truthOf.get(r.path)).length / pRows.length;
  const readRight = rRead.rows.filter((r) => r.text === truthOf.get(r.path)).length / rRead.rows.length;
  const agree = pRows.filter((r, i) => r.digit !== null && r.digit === rRead.rows[i].text).length / pRows.length;
  console.log(
    `(a) photo-like single digits, ${nDigits}: predict ${pct(predictRight)} right, read ${pct(readRight)} right, predict and read agree on ${pct(agree)}`,
  );
  console.log(
    `  the model's ceiling: ${pct(ceiling(nDigits, (i) => [photoDigitIndex(mnist, 101, i)]))} of these digits are read right in MNIST's own form`,
  );

  for (const style of ['photo', 'scan'] as const) {
    const set = await ensureSet(`numbers-${style}-${nNumbers}`, nNumbers, (i) => numberPicture(mnist, 202, i, style));
    const { rows } = await readAll(set.dir);
    const s = scoreNumbers(rows, set.truth);
    console.log(
      `(b) numbers of 2-7 digits, ${style}, ${s.n}: exact ${pct(s.exact)}, digits right ${pct(s.digitsRight)}, right digit count ${pct(s.countRight)}`,
    );
    printCauses(style, s);
    console.log(`  debug pictures of ${style} failures: ${(await writeExamples(style, s)).join(', ') || 'none'}`);
  }
  console.log(
    `  the model's ceiling: ${pct(ceiling(nNumbers, (i) => numberDigits(mnist, 202, i).digits))} of these numbers hold no digit the model misreads in MNIST's own form`,
  );

  const speed = await ensureSet(`speed-4-digit-photos-${nSpeed}`, nSpeed, (i) =>
    numberPicture(mnist, 303, i, 'photo', { minDigits: 4, maxDigits: 4 }),
  );
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const { rows, seconds } = await readAll(speed.dir);
    rates.push(rows.length / seconds);
  }
  console.log(
    `read throughput, 640x480 JPEG photos of 4-digit numbers (decode included, ${WORKERS} workers, ${nSpeed} pictures, 3 runs): median ${Math.round(median(rates))} pictures/s (runs ${rates.map(Math.round).join(', ')})`,
  );
  // the independent sets, built apart from bench/generate (bench/read-sets.ts)
  await benchReadSets();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchRead();
}
