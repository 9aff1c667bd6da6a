/**
 * One picture held in memory (not a file) -> model input, for callers that receive pictures over the wire. Decoding and preprocessing are the very functions the decode
 * workers use, with the same limits, so a picture gets the same answer whichever way it arrives.
 */
import type { InputContract } from '../contract.js';
import { MAX_FILE_BYTES, PictureError, pictureToInput } from './images.js';

/** A picture turned into one input row, or the one-line reason it could not be. */
export type PictureInput = { ok: true; input: Float32Array; characters: number } | { ok: false; error: string };

/**
 * Decode and preprocess picture bytes for `contract`: the CLI's limits (file size, pixel count) and messages.
 * Never throws for a bad picture; the reason comes back as `error`, as the CLI's rows carry it.
 */
export async function pictureInput(bytes: Uint8Array, contract: InputContract): Promise<PictureInput> {
  if (bytes.length === 0) return { ok: false, error: 'empty file (0 bytes)' };
  if (bytes.length > MAX_FILE_BYTES)
    return { ok: false, error: `file is ${bytes.length} bytes, over the ${MAX_FILE_BYTES / 1048576} MiB limit` };
  try {
    const r = await pictureToInput(bytes, contract);
    return r.ok ? { ok: true, input: r.input, characters: r.digitCount } : { ok: false, error: r.message };
  } catch (err) {
    return {
      ok: false,
      error: err instanceof PictureError ? err.message : `unexpected error: ${(err as Error).message}`,
    };
  }
}
