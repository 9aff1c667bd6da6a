/**
 * Files and folders -> streamed predictions, in input order, with bounded memory: at most `maxInFlight` chunks
 * are being decoded and one batch is waiting for the model at any time.
 */
import { rejectIndex } from '../contract.js';
import { nonFiniteReason, type ContractModel } from '../model.js';
import { lookAgainAtPictures } from '../predict-input.js';
import { DecodePool, type DecodeReply } from './decode-pool.js';
import type { DigitModel } from './session.js';
import { inChunks, openPath, type WalkEntry } from './walk.js';

/** One label and its probability. */
export interface Ranked {
  label: string;
  probability: number;
}

/** The result for one file: a digit, or the reason there is none. */
export interface PredictRow {
  path: string;
  digit: string | null;
  probability: number | null;
  topK: Ranked[];
  error: string | null;
  /** Set when the picture clearly holds several characters: the one answer then describes none of them. */
  note: string | null;
  /**
   * The model's probability that the picture is not one character, for models with such an output
   * (`contract.reject_label`); null otherwise and on error. `digit` and `topK` never name that output.
   */
  notCharacter: number | null;
}

/** The note of a picture that holds `characters` separate characters, or null for one. */
export function severalCharactersNote(characters: number): string | null {
  return characters > 1
    ? `the picture holds ${characters} separate characters; read them as a number with 'lenet-onnx read'`
    : null;
}

/** A row as `predict --format json` prints it and `/v1/predict` answers it: the field names are an interface. */
export function predictRecord(r: PredictRow): {
  path: string;
  digit: string | null;
  probability: number | null;
  topK: Ranked[];
  error: string | null;
  note: string | null;
  notCharacter?: number;
} {
  const record = {
    path: r.path,
    digit: r.digit,
    probability: r.probability,
    topK: r.topK,
    error: r.error,
    note: r.note,
  };
  // Models without a "not one character" output keep the row they always had.
  return r.notCharacter === null ? record : { ...record, notCharacter: r.notCharacter };
}

/** Tuning of {@link predictStream}. */
export interface PredictOptions {
  /** Pictures per model run (the second views of a batch's unsure pictures too). */
  batchSize: number;
  /** Labels listed per picture, most probable first. */
  topK: number;
  /** Decode workers (default: one per core). */
  workers?: number;
  /** Files per message to a worker; larger amortises messaging, smaller keeps workers evenly loaded. */
  chunkSize?: number;
  /** Decode workers started (and set up for the model's contract) by the caller, who closes them; default: started and closed here, `workers` of them. */
  pool?: DecodePool;
}

interface Slot {
  row: PredictRow;
  /** Index of the picture in the current batch, or -1 when the row is already final (an error). */
  batchIndex: number;
}

/**
 * Predict every entry of `entries` (see walkPictures) with `model`, yielding one row per entry in the same order.
 * A file that fails (unreadable, not a picture, no ink) yields a row with `error`; the run goes on.
 */
export async function* predictStream(
  entries: AsyncIterable<WalkEntry>,
  model: DigitModel,
  o: PredictOptions,
): AsyncGenerator<PredictRow> {
  const c = model.contract;
  const reject = rejectIndex(c);
  const size = c.height * c.width * c.channels;
  const chunkSize = o.chunkSize ?? 64;
  const pool = o.pool ?? new DecodePool(o.workers, c);
  // Enough chunks queued that the workers go on decoding while this thread runs a batch and writes its rows:
  // two batches' worth (within a bound), and at least three per worker.
  const maxInFlight = Math.max(3 * pool.size, Math.min(16, Math.ceil((2 * o.batchSize) / chunkSize)));
  const inFlight: Array<{ entries: WalkEntry[]; reply: Promise<DecodeReply> | undefined }> = [];
  // the second views of a batch's unsure pictures go to the model in runs no larger than a batch either
  const viewModel: ContractModel = {
    source: model.source,
    contract: c,
    maxBatch: Math.min(model.maxBatch ?? o.batchSize, o.batchSize),
    run: (input, n, signal) => model.run(input, n, signal),
  };
  let batch = new Float32Array(o.batchSize * size);
  let batchCount = 0;
  let slots: Slot[] = [];

  const dispatch = (chunk: WalkEntry[]) => {
    const paths = chunk.filter((e) => !e.error).map(openPath);
    inFlight.push({ entries: chunk, reply: paths.length ? pool.decode(paths) : undefined });
  };

  async function* runBatch(): AsyncGenerator<PredictRow> {
    if (batchCount > 0) {
      const run = await model.run(batch, batchCount);
      const classes = c.labels.length;
      const inputs = Array.from({ length: batchCount }, (_, i) => batch.subarray(i * size, (i + 1) * size));
      const first = Array.from({ length: batchCount }, (_, i) => run.subarray(i * classes, (i + 1) * classes));
      const probs = await lookAgainAtPictures(viewModel, inputs, first);
      for (const s of slots) if (s.batchIndex >= 0) fillRow(s.row, probs[s.batchIndex], c.labels, o.topK, reject);
      // the runtime may still hold the old buffer's view; a fresh one is cheap next to a batch of decoding
      batch = new Float32Array(o.batchSize * size);
    }
    for (const s of slots) yield s.row;
    slots = [];
    batchCount = 0;
  }

  async function* drainOne(): AsyncGenerator<PredictRow> {
    const { entries: chunk, reply } = inFlight.shift()!;
    const r = reply ? await reply : undefined;
    let k = 0;
    for (const e of chunk) {
      const row: PredictRow = {
        path: e.path,
        digit: null,
        probability: null,
        topK: [],
        error: e.error ?? null,
        note: null,
        notCharacter: null,
      };
      if (!e.error) {
        const err = r!.errors[k];
        if (err) {
          row.error = err;
        } else {
          batch.set(r!.input.subarray(k * size, (k + 1) * size), batchCount * size);
          row.note = severalCharactersNote(r!.characters[k]);
          slots.push({ row, batchIndex: batchCount++ });
          k++;
          if (batchCount === o.batchSize) yield* runBatch();
          continue;
        }
        k++;
      }
      slots.push({ row, batchIndex: -1 });
    }
    // error-only tails need not wait for the next full batch
    if (batchCount === 0) yield* runBatch();
  }

  try {
    for await (const chunk of inChunks(entries, chunkSize)) {
      dispatch(chunk);
      if (inFlight.length >= maxInFlight) yield* drainOne();
    }
    while (inFlight.length) yield* drainOne();
    yield* runBatch();
  } finally {
    if (!o.pool) await pool.close();
  }
}

function fillRow(row: PredictRow, probs: Float32Array, labels: string[], topK: number, reject: number): void {
  Object.assign(row, rankedRow(row.path, probs, labels, topK, reject), { note: row.note });
}

/**
 * The row for a picture that has probabilities: labels ranked most probable first, `topK` of them listed; an error
 * row when the probabilities are not all finite. `reject` is the output index of the contract's "not one
 * character" label (`rejectIndex`), or -1: that output is never the answer, and is reported on its own.
 */
export function rankedRow(path: string, probs: Float32Array, labels: string[], topK: number, reject = -1): PredictRow {
  const broken = nonFiniteReason(probs);
  if (broken) return failedRow(path, broken);
  const order = Array.from(probs.keys())
    .filter((i) => i !== reject)
    .sort((a, b) => probs[b] - probs[a]);
  return {
    path,
    digit: labels[order[0]],
    probability: probs[order[0]],
    topK: order.slice(0, topK).map((i) => ({ label: labels[i], probability: probs[i] })),
    error: null,
    note: null,
    notCharacter: reject >= 0 ? probs[reject] : null,
  };
}

/** The row for a picture that could not be predicted. */
export function failedRow(path: string, error: string): PredictRow {
  return { path, digit: null, probability: null, topK: [], error, note: null, notCharacter: null };
}
