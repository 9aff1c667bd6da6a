// `read` on the independent evaluation sets (bench/generate-pages, bench/generate-sums): numbers of 2-7 digits
// in other hands on seven kinds of paper, and sums of 3-25 characters with operators in many styles, each set in
// a tuning split (rules may be chosen on it) and an evaluation split (reported, never tuned on). For every set:
// the model's ceiling, the exact-read rate, failures by cause, and a debug picture of the first failures of
// each cause. Sets are written once into bench/.work/read-sets and kept between runs.
// Run: node --import tsx bench/read-sets.ts [--split tuning|evaluation] [--sets box,ruled,...] [--count N]
// (also part of `npm run bench:read`; LENET_BENCH_FULL=1 for larger sets)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readMnist, type IdxDataset } from '../src/data/idx.js';
import { writeDebugPicture } from '../src/jobs/read-debug.js';
import { expressionFields } from '../src/runtime/expression.js';
import { readModelFile } from '../src/runtime/node/model-file.js';
import type { ReadRow } from '../src/runtime/node/read.js';
import { readStream } from '../src/runtime/node/read-stream.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel } from '../src/runtime/node/session.js';
import { walkPictures } from '../src/runtime/node/walk.js';
import { pageNumber, PAPERS } from './generate-pages/numbers.js';
import { SPLIT_SEEDS, type Split } from './generate-pages/splits.js';
import type { Box } from './generate/types.js';
import { sumPicture } from './generate-sums/sums.js';
import { misreadDigits } from './misread.js';

const WORK = 'bench/.work/read-sets';
/** Bumped when a generator changes what it draws, so kept sets are written again. */
const GENERATOR_VERSION = 3;
const FULL = process.env.LENET_BENCH_FULL === '1';
const NUMBER_MODEL = process.env.LENET_BENCH_ONNX ?? DEFAULT_ONNX_MODEL;
const SUM_MODEL = process.env.LENET_ARITHMETIC_ONNX ?? 'models/arithmetic.onnx';
const WORKERS = Math.min(2, availableParallelism());
const SETS = [...PAPERS, 'sums'] as const;
type SetName = (typeof SETS)[number];
/** Where the debug pictures of failures go, for BENCHMARKS.md to show (evaluation split only). */
const EXAMPLES_DIR = 'docs/images/read-sets';
const EXAMPLES_PER_CAUSE = 1;

interface Truth {
  file: string;
  text: string;
  boxes: Box[];
  digits: number[];
}

async function ensureSet(set: SetName, split: Split, count: number, mnist: IdxDataset): Promise<Truth[]> {
  const dir = path.join(WORK, `v${GENERATOR_VERSION}`, split, set);
  const truthFile = path.join(dir, 'truth.json');
  if (existsSync(truthFile)) {
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth[];
    if (truth.length >= count) return truth.slice(0, count);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const truth: Truth[] = [];
  const seed = SPLIT_SEEDS[split];
  for (let i = 0; i < count; i++) {
    const g = set === 'sums' ? await sumPicture(mnist, seed, i) : await pageNumber(mnist, seed, i, set);
    const p = g.picture;
    const file = path.join(dir, `${String(i).padStart(5, '0')}.${p.format === 'jpeg' ? 'jpg' : 'png'}`);
    writeFileSync(file, p.bytes);
    truth.push({ file, text: p.text, boxes: p.boxes, digits: g.digits });
  }
  writeFileSync(truthFile, JSON.stringify(truth));
  return truth;
}

async function readAll(files: string[], model: string): Promise<ReadRow[]> {
  const rows: ReadRow[] = [];
  for await (const r of readStream(walkPictures(files), model, { workers: WORKERS })) rows.push(r);
  return rows;
}

type Cause = 'refused' | 'paper read' | 'merge' | 'split' | 'recognition' | 'value';

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Why a line was misread: refused; a character read where nothing was written (a box, a line of the sheet);
 * too few characters; too many; the right count with a character wrong; or (sums) the right text, a wrong value.
 */
function causeOf(row: ReadRow, t: Truth): Cause {
  if (row.text === null) return 'refused';
  if (row.digits.some((d) => !t.boxes.some((b) => overlaps(d.box, b)))) return 'paper read';
  if (row.text.length < t.text.length) return 'merge';
  if (row.text.length > t.text.length) return 'split';
  if (row.text !== t.text) return 'recognition';
  return 'value';
}

/** Right when the text is exact and, for a sum, its value (or its expression error) is the true one. */
function isRight(row: ReadRow, t: Truth, sum: boolean): boolean {
  if (row.text !== t.text) return false;
  if (!sum) return true;
  const want = expressionFields(t.text);
  return (
    JSON.stringify(row.value ?? null) === JSON.stringify(want.value ?? null) &&
    (row.expression_error !== undefined) === (want.expression_error !== undefined)
  );
}

/** One set's figures. */
export interface SetScore {
  set: SetName;
  split: Split;
  n: number;
  exact: number;
  ceiling: number;
  /** Failures of a picture holding a digit the model misreads in MNIST's own form too. */
  failedAtCeiling: number;
  causes: Map<Cause, { file: string; line: string }[]>;
}

async function scoreSet(
  set: SetName,
  split: Split,
  count: number,
  mnist: IdxDataset,
  misread: Set<number>,
): Promise<SetScore> {
  const truth = await ensureSet(set, split, count, mnist);
  const rows = await readAll(
    truth.map((t) => t.file),
    set === 'sums' ? SUM_MODEL : NUMBER_MODEL,
  );
  const byFile = new Map(truth.map((t) => [t.file, t]));
  let exact = 0,
    failedAtCeiling = 0;
  const causes = new Map<Cause, { file: string; line: string }[]>();
  for (const r of rows) {
    const t = byFile.get(r.path)!;
    if (isRight(r, t, set === 'sums')) {
      exact++;
      continue;
    }
    if (t.digits.some((k) => misread.has(k))) failedAtCeiling++;
    const c = causeOf(r, t);
    causes.set(c, [
      ...(causes.get(c) ?? []),
      { file: r.path, line: `${path.basename(r.path)} (${t.text} read ${r.text ?? `'${r.error}'`})` },
    ]);
  }
  const clean = truth.filter((t) => !t.digits.some((k) => misread.has(k))).length;
  return {
    set,
    split,
    n: rows.length,
    exact: exact / rows.length,
    ceiling: clean / truth.length,
    failedAtCeiling,
    causes,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Write `read --debug-dir`'s picture of the first failures of each cause, named `<set>-<cause>-<file>.png`. */
async function writeExamples(s: SetScore): Promise<string[]> {
  mkdirSync(EXAMPLES_DIR, { recursive: true });
  for (const f of readdirSync(EXAMPLES_DIR)) if (f.startsWith(`${s.set}-`)) rmSync(path.join(EXAMPLES_DIR, f));
  const picked = [...s.causes].flatMap(([cause, xs]) =>
    xs.slice(0, EXAMPLES_PER_CAUSE).map((x) => ({ cause, file: x.file })),
  );
  if (picked.length === 0) return [];
  const model = s.set === 'sums' ? SUM_MODEL : NUMBER_MODEL;
  const { contract } = await readModelFile(model);
  const written: string[] = [];
  let i = 0;
  for await (const row of readStream(walkPictures(picked.map((p) => p.file)), model, { workers: 1, keepDebug: true })) {
    const p = picked[i++];
    if (!row.debug) continue;
    const name = `${s.set}-${p.cause.replace(/ /g, '-')}-${path.basename(p.file)}.png`;
    await writeDebugPicture(EXAMPLES_DIR, name, row, contract);
    written.push(path.join(EXAMPLES_DIR, name));
  }
  return written;
}

/** Read every independent set of `splits` and print its figures; returns them. */
export async function benchReadSets(
  o: { splits?: Split[]; sets?: SetName[]; count?: number; examples?: boolean } = {},
): Promise<SetScore[]> {
  const mnist = await readMnist('test');
  const misreadBy = new Map<string, Set<number>>();
  for (const file of [NUMBER_MODEL, SUM_MODEL]) {
    const model = await loadDigitModel(file);
    try {
      misreadBy.set(file, await misreadDigits(model, mnist));
    } finally {
      await model.close();
    }
  }
  const scores: SetScore[] = [];
  for (const split of o.splits ?? (['tuning', 'evaluation'] as Split[])) {
    console.log(`independent sets, ${split} split (seed ${SPLIT_SEEDS[split]}):`);
    for (const set of o.sets ?? SETS) {
      const count = o.count ?? (set === 'sums' ? (FULL ? 1000 : 300) : FULL ? 500 : 200);
      const model = set === 'sums' ? SUM_MODEL : NUMBER_MODEL;
      const s = await scoreSet(set, split, count, mnist, misreadBy.get(model)!);
      scores.push(s);
      const what = set === 'sums' ? 'sums of 3-25 characters' : `numbers on ${set} paper`;
      console.log(`  ${what}, ${s.n}: exact ${pct(s.exact)}, the model's ceiling ${pct(s.ceiling)}`);
      const parts = [...s.causes].map(([c, xs]) => `${c} ${xs.length}`);
      console.log(`    failures by cause: ${parts.join(', ') || 'none'}`);
      console.log(`    failures holding a digit the model misreads in MNIST's own form: ${s.failedAtCeiling}`);
      for (const [c, xs] of s.causes)
        console.log(
          `      ${c}: ${xs
            .slice(0, 3)
            .map((x) => x.line)
            .join('; ')}`,
        );
      if (split === 'evaluation' && (o.examples ?? true)) {
        const written = await writeExamples(s);
        if (written.length) console.log(`    debug pictures: ${written.join(', ')}`);
      }
    }
  }
  return scores;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      split: { type: 'string' },
      sets: { type: 'string' },
      count: { type: 'string' },
      'no-examples': { type: 'boolean', default: false },
    },
  });
  const splits = values.split === undefined ? undefined : [values.split as Split];
  if (splits && !(splits[0] in SPLIT_SEEDS))
    throw new Error(`--split must be tuning or evaluation, got '${values.split}'`);
  const sets = values.sets?.split(',') as SetName[] | undefined;
  const bad = sets?.find((s) => !SETS.includes(s));
  if (bad) throw new Error(`--sets takes ${SETS.join(', ')}; got '${bad}'`);
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && !(Number.isInteger(count) && count > 0))
    throw new Error(`--count must be a positive integer, got '${values.count}'`);
  await benchReadSets({ splits, sets, count, examples: !values['no-examples'] });
}
