// Test fixtures for the Node runtime: the model under test and picture files made from MNIST digits.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import type { GrayImage } from '../../../src/runtime/preprocess.js';

/**
 * The ONNX model the runtime tests use: the committed default, or LENET_TEST_ONNX (a model exported elsewhere).
 * Fails loudly when there is none: these tests are about running a real model.
 */
export function testOnnxPath(): string {
  const p = process.env.LENET_TEST_ONNX ?? 'models/lenet5.onnx';
  if (!existsSync(p))
    throw new Error(`no ONNX model at '${p}': run 'npm start' (or 'lenet-onnx export') first, or set LENET_TEST_ONNX`);
  return p;
}

/** A fresh temporary directory for one test file. */
export function tempDir(tag: string): string {
  return mkdtempSync(path.join(tmpdir(), `lenet-runtime-${tag}-`));
}

/** Grayscale PNG bytes. */
export function pngBytes(img: GrayImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.width * img.height; i++) {
    png.data[4 * i] = png.data[4 * i + 1] = png.data[4 * i + 2] = img.data[i];
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 0 });
}

/** JPEG bytes (colour, quality 90): what a camera or a scanner writes. */
export function jpegBytes(img: GrayImage, quality = 90): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba[4 * i] = img.data[i];
    rgba[4 * i + 1] = img.data[i];
    rgba[4 * i + 2] = Math.max(0, img.data[i] - 8); // a slightly warm paper tint
    rgba[4 * i + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: img.width, height: img.height }, quality).data;
}

/** Uncompressed 24-bit bottom-up BMP bytes. */
export function bmpBytes(img: GrayImage): Uint8Array {
  const stride = Math.ceil((img.width * 3) / 4) * 4;
  const b = new Uint8Array(54 + stride * img.height);
  const dv = new DataView(b.buffer);
  b[0] = 0x42;
  b[1] = 0x4d;
  dv.setUint32(2, b.length, true);
  dv.setUint32(10, 54, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, img.width, true);
  dv.setInt32(22, img.height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, 24, true);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const v = img.data[y * img.width + x];
      b.set([v, v, v], 54 + (img.height - 1 - y) * stride + x * 3);
    }
  }
  return b;
}

/** Write `bytes` to `dir/name` and return the path. */
export function put(dir: string, name: string, bytes: Uint8Array | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** A JPEG whose frame header is rewritten to claim `w` x `h`, its data left as it was. */
export async function jpegClaiming(w: number, h: number): Promise<Uint8Array> {
  const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
    .jpeg()
    .toBuffer();
  const b = Uint8Array.from(small);
  const dv = new DataView(b.buffer);
  for (let p = 2; p + 9 < b.length;) {
    if (b[p] !== 0xff) {
      p++;
      continue;
    }
    if (b[p + 1] >= 0xc0 && b[p + 1] <= 0xc2) {
      dv.setUint16(p + 5, h);
      dv.setUint16(p + 7, w);
      return b;
    }
    p += 2 + dv.getUint16(p + 2);
  }
  throw new Error('no SOF marker');
}
