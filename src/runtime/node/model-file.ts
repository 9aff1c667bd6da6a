/**
 * Reading a model file from disk with the project's capped reader (regular files only, at most the cap), every
 * failure one line naming the file; the bytes are then checked by the shared model-file reader.
 */
import { UserError } from '../../errors.js';
import { FileReadError, readFileCapped } from '../../fs/bounded-read.js';
import {
  ModelFileError,
  readAnyModelBytes,
  readModelBytes,
  readOnnxBytes,
  type AnyModelFile,
  type ModelFile,
} from '../model-file.js';
import type { OnnxModelInfo } from '../../onnx/info.js';

/** Largest ONNX file read; LeNet-5 is a quarter of a megabyte, so anything near this is not one of ours. */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/**
 * The bytes of the file at `file`, read with a cap.
 * @param noun how messages name the file.
 * @throws UserError: missing, a directory or special file, larger than the cap, unreadable.
 */
export function readModelFileBytes(file: string, noun = 'model'): Uint8Array {
  try {
    return readFileCapped(file, MAX_MODEL_BYTES, 'ONNX file');
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    throw new UserError(
      err.message === 'no such file'
        ? `${noun} '${file}' not found: expected an .onnx file (make one with 'lenet-onnx export' or 'npm start')`
        : `${noun} '${file}': ${err.message}`,
    );
  }
}

/**
 * A lenet-onnx model file: bytes, header, contract, graph checked against the contract.
 * @throws UserError naming the file.
 */
export async function readModelFile(file: string): Promise<ModelFile & { bytes: Uint8Array }> {
  const bytes = readModelFileBytes(file);
  try {
    return { bytes, ...readModelBytes(bytes, file) };
  } catch (err) {
    if (err instanceof ModelFileError) throw new UserError(err.message);
    throw err;
  }
}

/**
 * Any ONNX file (no contract needed): its bytes and header.
 * @throws UserError naming the file.
 */
export async function readOnnxFile(file: string): Promise<{ bytes: Uint8Array; info: OnnxModelInfo }> {
  const bytes = readModelFileBytes(file, 'ONNX file');
  try {
    return { bytes, info: readOnnxBytes(bytes, file) };
  } catch (err) {
    if (err instanceof ModelFileError) throw new UserError(err.message);
    throw err;
  }
}

/**
 * Any ONNX model file (what `serve` takes): bytes and header, and the contract when the file claims one.
 * @throws UserError naming the file: unreadable, not ONNX, or a claimed contract that does not hold.
 */
export async function readAnyModelFile(file: string): Promise<AnyModelFile & { bytes: Uint8Array }> {
  const bytes = readModelFileBytes(file);
  try {
    return { bytes, ...readAnyModelBytes(bytes, file) };
  } catch (err) {
    if (err instanceof ModelFileError) throw new UserError(err.message);
    throw err;
  }
}
