import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import { isPictureName } from '../runtime/node/walk.js';
import { readPictureFile } from '../runtime/node/images.js';
import type { ParityInputs } from '../export/verify.js';
import { graphOf, isModelLayer } from '../export/fold-batch-norm.js';

/** The model's image input [h, w, c], or undefined when it does not take images. */
export function imageInputShape(model: tf.LayersModel): number[] | undefined {
  const shape = model.inputs[0].shape.slice(1);
  return shape.length === 3 && shape.every((d) => typeof d === 'number') ? (shape as number[]) : undefined;
}

/**
 * The pixel range the model expects: [0, 255] when its first layer is a Rescaling (it scales raw pixels
 * itself), else [-1, 1] (what MobileNet-based models such as Teachable Machine's take).
 */
export function defaultInputRange(model: tf.LayersModel): [number, number] {
  let m: tf.LayersModel = model;
  for (;;) {
    const first = graphOf(m).layers.find((l) => l.getClassName() !== 'InputLayer');
    if (!first) return [-1, 1];
    if (isModelLayer(first)) m = first;
    else return first.getClassName() === 'Rescaling' ? [0, 255] : [-1, 1];
  }
}

/** A small seeded generator, so two runs check the same inputs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `count` seeded uniform samples of the model's input shape in `[lo, hi]`. */
export function randomParityInputs(model: tf.LayersModel, count: number, [lo, hi]: number[], seed = 1): ParityInputs {
  const sampleShape = model.inputs[0].shape.slice(1);
  if (sampleShape.some((d) => d === null))
    throw new UserError(`model input [${sampleShape.join(', ')}] has free dimensions; export with --no-verify`);
  const per = (sampleShape as number[]).reduce((a, b) => a * b, 1);
  const rand = lcg(seed);
  const data = Float32Array.from({ length: count * per }, () => lo + (hi - lo) * rand());
  return { data, count, sampleShape: sampleShape as number[] };
}

/**
 * Up to `count` pictures of `dir` (sorted by name), each resized to the model's input height and width
 * (stretched), in RGB or grey as its channels say, pixels mapped linearly from [0, 255] to `[lo, hi]`.
 * @throws UserError when the model does not take 1- or 3-channel images, the folder holds no picture, or
 *   one cannot be decoded (naming it).
 */
export async function pictureParityInputs(
  model: tf.LayersModel,
  dir: string,
  count: number,
  [lo, hi]: number[],
): Promise<ParityInputs> {
  const shape = imageInputShape(model);
  if (!shape || (shape[2] !== 1 && shape[2] !== 3))
    throw new UserError(
      `--parity-data: the model input is [${model.inputs[0].shape.slice(1).join(', ')}], not a 1- or 3-channel picture; use the random parity inputs (leave out --parity-data)`,
    );
  const names = (
    await fs.readdir(dir).catch(() => {
      throw new UserError(`--parity-data '${dir}': not a readable folder; name a folder of pictures`);
    })
  )
    .filter(isPictureName)
    .sort()
    .slice(0, count);
  if (names.length === 0)
    throw new UserError(`--parity-data '${dir}': no picture (PNG, JPEG, GIF, BMP, TIFF) in the folder`);
  const [h, w, c] = shape;
  const per = h * w * c;
  const data = new Float32Array(names.length * per);
  for (let i = 0; i < names.length; i++) {
    const file = path.join(dir, names[i]);
    let pixels: Buffer;
    try {
      let img = sharp(readPictureFile(file), { limitInputPixels: 64_000_000 })
        .resize(w, h, { fit: 'fill' })
        .removeAlpha();
      img = img.toColourspace(c === 1 ? 'b-w' : 'srgb');
      pixels = await img.raw().toBuffer();
    } catch (err) {
      throw new UserError(`--parity-data: '${file}' cannot be decoded (${(err as Error).message})`);
    }
    for (let j = 0; j < per; j++) data[i * per + j] = lo + ((hi - lo) * pixels[j]) / 255;
  }
  return { data, count: names.length, sampleShape: shape };
}
