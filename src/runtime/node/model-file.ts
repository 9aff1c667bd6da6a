/**
 * Reading a model file from disk: stat first, refuse what is not a regular file, read at most the cap, and
 * turn every failure into one line naming the file. The bytes are then checked by the shared reader.
 */
import { promises as fs } from 'node:fs';
import { fsErrorReason, UserError } from '../../errors.js';
import { ModelFileError, readModelBytes, readOnnxBytes, type ModelFile } from '../model-file.js';
import type { OnnxModelInfo } from '../../onnx/info.js';

/** Largest ONNX file read; LeNet-5 is a quarter of a megabyte, so anything near this is not one of ours. */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/**
 * The bytes of the file at `file`, read with a cap.
 * @throws UserError: missing, a directory or special file, larger than the cap, unreadable.
 */
export async function readModelFileBytes(file: string): Promise<Uint8Array> {
  let handle: fs.FileHandle | undefined;
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw new UserError(`model '${file}' is a directory; expected an .onnx file`);
    if (!st.isFile()) throw new UserError(`model '${file}' is not a regular file; expected an .onnx file`);
    if (st.size > MAX_MODEL_BYTES) throw new UserError(`model '${file}' is ${st.size} bytes, more than the ${MAX_MODEL_BYTES}-byte limit for an ONNX model`);
    handle = await fs.open(file, 'r');
    const buf = Buffer.alloc(Math.min(st.size, MAX_MODEL_BYTES) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > MAX_MODEL_BYTES) throw new UserError(`model '${file}' grew past the ${MAX_MODEL_BYTES}-byte limit while being read`);
      if (got === buf.length) break;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, got);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT'
      ? `model '${file}' not found: expected an .onnx file (make one with 'lenet-onnx export' or 'npm start')`
      : `cannot read model '${file}': ${fsErrorReason(err)}`);
  } finally {
    await handle?.close();
  }
}

/**
 * A lenet-onnx model file: bytes, header, contract, graph checked against the contract.
 * @throws UserError naming the file.
 */
export async function readModelFile(file: string): Promise<ModelFile & { bytes: Uint8Array }> {
  const bytes = await readModelFileBytes(file);
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
  const bytes = await readModelFileBytes(file);
  try {
    return { bytes, info: readOnnxBytes(bytes, file) };
  } catch (err) {
    if (err instanceof ModelFileError) throw new UserError(err.message);
    throw err;
  }
}
