/**
 * Files and folders -> lines read, streamed in input order: worker threads read whole pictures (each with its
 * own model session), at most a few chunks in flight, so memory stays flat whatever the folder holds.
 */
import { readPool } from './read-pool.js';
import type { ReadOptions, ReadRow } from './read.js';
import { inChunks, openPath, type WalkEntry } from './walk.js';

/**
 * Read every entry of `entries` (see walkPictures) with the model in `modelFile`, yielding one row per entry in
 * the same order. Worker threads each load the model; at most `3 * workers` chunks are in flight.
 * A file that fails (unreadable, not a picture, no ink, not one line) yields a row with `error`; the run goes on.
 */
export async function* readStream(
  entries: AsyncIterable<WalkEntry>,
  modelFile: string,
  o: ReadOptions,
): AsyncGenerator<ReadRow> {
  const { workers, chunkSize = 4, keepDebug = false, ...options } = o;
  const pool = readPool({ model: modelFile, options, keepDebug }, workers);
  const inFlight: Array<Promise<ReadRow[]>> = [];
  const dispatch = (chunk: WalkEntry[]) => {
    const files = chunk.filter((e) => !e.error).map(openPath);
    const reply = files.length ? pool.request({ paths: files }) : Promise.resolve(undefined);
    const rows = reply.then((r) => {
      if (r?.failure) throw new Error(r.failure);
      let k = 0;
      return chunk.map((e) =>
        e.error
          ? { path: e.path, text: null, confidence: null, digits: [], error: e.error, decisions: [] }
          : { ...r!.rows[k++], path: e.path },
      );
    });
    // awaited in order below; this only keeps a later failure from counting as unhandled meanwhile
    rows.catch(() => undefined);
    inFlight.push(rows);
  };
  try {
    for await (const chunk of inChunks(entries, chunkSize)) {
      dispatch(chunk);
      if (inFlight.length >= 3 * workers) yield* await inFlight.shift()!;
    }
    while (inFlight.length) yield* await inFlight.shift()!;
  } finally {
    await pool.close();
  }
}
