/**
 * A loaded model and what one picture gives: a digit (as `lenet-onnx predict`) or a line of characters (as
 * `lenet-onnx read`). A thin front over the runtime's Node backend: the same decoding, preprocessing and
 * reading the CLI runs, row for row.
 */
import { rejectIndex, type InputContract } from '../runtime/contract.js';
import { predictInput } from '../runtime/predict-input.js';
import { preprocess } from '../runtime/preprocess.js';
import { pictureInput } from '../runtime/node/picture-input.js';
import { rankedRow, severalCharactersNote, type PredictRow } from '../runtime/node/predict.js';
import { readPictureBytes, type ReadRow } from '../runtime/node/read.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel, type DigitModel } from '../runtime/node/session.js';
import { PictureFailedError } from './errors.js';
import { toPicture, type PictureSource } from './picture.js';

/** The default model's file, inside this package. */
export const DEFAULT_MODEL: string = DEFAULT_ONNX_MODEL;

/** A model ready to run; free it with {@link Model.close}. */
export interface Model {
  /** The .onnx file. */
  readonly file: string;
  /** Its input contract (size, normalisation, labels), read from the file. */
  readonly contract: InputContract;
  /**
   * The digit in one picture, as a row of `lenet-onnx predict --format json`.
   * @throws PictureFailedError when the picture cannot be read or holds no ink (the CLI row's error).
   */
  predict(picture: PictureSource, options?: { topK?: number }): Promise<PredictRow>;
  /**
   * The line of characters in one picture (bytes or path), as a row of `lenet-onnx read`.
   * @throws PictureFailedError when nothing can be read (the CLI row's error).
   */
  read(picture: Uint8Array | string): Promise<ReadRow>;
  /** Release the onnxruntime session. */
  close(): Promise<void>;
}

/**
 * Load an ONNX model with its input contract (default: the package's own model).
 * @throws UserError naming the file: missing, not ONNX, no contract, a graph that disagrees with its contract.
 */
export async function loadModel(file: string = DEFAULT_MODEL, options: { threads?: number } = {}): Promise<Model> {
  const model = await loadDigitModel(file, options);
  return {
    file,
    contract: model.contract,
    predict: (picture, o = {}) => predictOne(model, picture, o.topK ?? 3),
    async read(picture) {
      const p = toPicture(picture, 'read(picture)');
      if (!('bytes' in p)) throw new PictureFailedError(p.name, 'read takes encoded picture bytes or a file path');
      const row = await readPictureBytes(p.name, p.bytes, model);
      if (row.error !== null) throw new PictureFailedError(p.name, row.error);
      return row;
    },
    close: () => model.close(),
  };
}

async function predictOne(model: DigitModel, source: PictureSource, topK: number): Promise<PredictRow> {
  if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`topK: expected an integer >= 1, got ${topK}`);
  const p = toPicture(source, 'predict(picture)');
  let input: Float32Array;
  let characters: number;
  if ('bytes' in p) {
    const r = await pictureInput(p.bytes, model.contract);
    if (!r.ok) throw new PictureFailedError(p.name, r.error);
    ({ input, characters } = r);
  } else {
    const r = preprocess(p.pixels, model.contract);
    if (!r.ok) throw new PictureFailedError(p.name, r.message);
    ({ input, digitCount: characters } = r);
  }
  const probs = await predictInput(model, input);
  const row = rankedRow(p.name, probs, model.contract.labels, topK, rejectIndex(model.contract));
  if (row.error !== null) throw new PictureFailedError(p.name, row.error);
  return { ...row, note: severalCharactersNote(characters) };
}
