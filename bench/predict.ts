// Benchmark of the Node runtime: decoders compared, end-to-end `predict` throughput over 10,000 MNIST PNGs and
// 1,000 photo-like 640x480 JPEGs, accuracy through files vs the model on raw pixels, and the robustness set
// (every test digit inverted, padded off-centre, scaled 4x). Pictures are generated into bench/.work/predict.
// Run: npm run bench:predict   (LENET_BENCH_ONNX=FILE to bench another model)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { evaluateModel } from '../src/runtime/node/evaluate.js';
import { decodePicture } from '../src/runtime/node/images.js';
import { predictStream, type PredictRow } from '../src/runtime/node/predict.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel, type DigitModel } from '../src/runtime/node/session.js';
import { walkPictures } from '../src/runtime/node/walk.js';
import { readMnist, type IdxDataset } from '../src/data/idx.js';
import type { GrayImage } from '../src/runtime/preprocess.js';
import { invert, pad, scaleUp } from '../test/runtime/helpers/transforms.js';
import { median } from './stats.js';

const WORK = 'bench/.work/predict';

function png(img: GrayImage): Buffer {
  const p = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.data.length; i++) p.data.set([img.data[i], img.data[i], img.data[i], 255], 4 * i);
  return PNG.sync.write(p, { colorType: 0 });
}

function digit(d: IdxDataset, k: number): GrayImage {
  return { width: 28, height: 28, data: d.images.slice(k * 784, (k + 1) * 784) };
}

/** Write each picture once (kept between runs); returns the directory. */
async function ensureSet(
  name: string,
  count: number,
  make: (k: number) => Promise<[string, Uint8Array]> | [string, Uint8Array],
): Promise<string> {
  const dir = path.join(WORK, name);
  if (existsSync(dir) && readdirSync(dir).length === count) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let k = 0; k < count; k++) {
    const [file, bytes] = await make(k);
    writeFileSync(path.join(dir, file), bytes);
  }
  return dir;
}

const fileName = (k: number, label: number, ext: string) => `${String(k).padStart(5, '0')}-${label}.${ext}`;

async function runDir(dir: string, model: DigitModel): Promise<{ rows: PredictRow[]; seconds: number }> {
  const rows: PredictRow[] = [];
  const t0 = performance.now();
  for await (const r of predictStream(walkPictures([dir]), model, { batchSize: 256, topK: 1 })) rows.push(r);
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

/** `predict` over `dir` three times: images per second of each run, and the rows of the last. */
async function repeatDir(dir: string, model: DigitModel, runs = 3): Promise<{ rates: number[]; rows: PredictRow[] }> {
  const rates: number[] = [];
  let rows: PredictRow[] = [];
  for (let r = 0; r < runs; r++) {
    const run = await runDir(dir, model);
    rates.push(run.rows.length / run.seconds);
    rows = run.rows;
  }
  return { rates, rows };
}

/**
 * The built CLI (`npm run build` first) over `dir`, as a user runs it: images per second from its own summary,
 * which counts from reading the first file, worker start included, and the whole process's wall time, start-up
 * and imports included. From the TypeScript source the decode workers take about a second to start, more than a
 * whole fast run.
 */
function builtCliRun(dir: string): { summary: number; wallSeconds: number } | null {
  if (!existsSync('dist/cli.js')) return null;
  const out = path.join(WORK, 'cli-rows.jsonl');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/lenet-onnx.js', 'predict', dir, '--format', 'jsonl', '--out', out], {
    encoding: 'utf8',
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  rmSync(out, { force: true });
  const m = /(\d+) img\/s/.exec(`${r.stdout}${r.stderr}`);
  return r.status === 0 && m ? { summary: Number(m[1]), wallSeconds } : null;
}

function accuracy(rows: PredictRow[]): number {
  // the true label is the last part of the file name
  const ok = rows.filter((r) => r.digit === path.basename(r.path).split(/[-.]/)[1]).length;
  return ok / rows.length;
}

/** Per-picture CPU time of a decoder on one thread, in microseconds (median of 3 passes). */
async function decoderMicros(bytes: Uint8Array[], decode: (b: Uint8Array) => unknown): Promise<number> {
  const passes: number[] = [];
  for (let p = 0; p < 3; p++) {
    const t0 = performance.now();
    for (const b of bytes) await decode(b);
    passes.push(((performance.now() - t0) * 1000) / bytes.length);
  }
  return median(passes);
}

/** Run the whole benchmark and return its figures (also printed). */
export async function benchPredict(log: (l: string) => void = console.log): Promise<Record<string, number>> {
  const modelFile = process.env.LENET_BENCH_ONNX ?? DEFAULT_ONNX_MODEL;
  const test = await readMnist('test');
  const n = test.count;
  const figures: Record<string, number> = {};

  log('generating pictures (kept in bench/.work/predict between runs) ...');
  const small = await ensureSet('mnist-png', n, (k) => [fileName(k, test.labels[k], 'png'), png(digit(test, k))]);
  const photos = await ensureSet('photo-jpeg', 1000, async (k) => {
    // dark ink, 8x, off-centre on a light grey 640x480 "page"
    const big = pad(invert(scaleUp(digit(test, k), 8)), 640, 480, 40 + ((k * 37) % 360), 20 + ((k * 53) % 200), 255);
    const page = Uint8Array.from(big.data, (v) => Math.round(60 + v * 0.7));
    const bytes = await sharp(Buffer.from(page), { raw: { width: 640, height: 480, channels: 1 } })
      .jpeg({ quality: 85 })
      .toBuffer();
    return [fileName(k, test.labels[k], 'jpg'), bytes];
  });
  const robust = {
    inverted: await ensureSet('robust-inverted', n, (k) => [
      fileName(k, test.labels[k], 'png'),
      png(invert(digit(test, k))),
    ]),
    padded: await ensureSet('robust-padded', n, (k) => [
      fileName(k, test.labels[k], 'png'),
      png(pad(digit(test, k), 96, 80, 3 + ((k * 7) % 60), 2 + ((k * 11) % 48), 0)),
    ]),
    scaled: await ensureSet('robust-scaled', n, (k) => [
      fileName(k, test.labels[k], 'png'),
      png(scaleUp(digit(test, k), 4)),
    ]),
  };

  // Decoders on one thread: the choice in src/runtime/node/images.ts rests on these.
  const smallBytes = Array.from({ length: 2000 }, (_, k) => png(digit(test, k)));
  const photoBytes = readdirSync(photos)
    .slice(0, 30)
    .map((f) => new Uint8Array(readFileSync(path.join(photos, f))));
  figures.pngjsSmallMicros = await decoderMicros(smallBytes, (b) => PNG.sync.read(Buffer.from(b)));
  figures.sharpSmallMicros = await decoderMicros(smallBytes.slice(0, 500), (b) =>
    sharp(b).greyscale().raw().toBuffer(),
  );
  figures.jpegjsPhotoMicros = await decoderMicros(photoBytes, (b) => jpeg.decode(b, { useTArray: true }));
  figures.sharpPhotoMicros = await decoderMicros(photoBytes, (b) => sharp(b).greyscale().raw().toBuffer());
  figures.runtimeSmallMicros = await decoderMicros(smallBytes, (b) => decodePicture(b));
  log(
    `decode, one thread: small PNG pngjs ${figures.pngjsSmallMicros.toFixed(0)} µs vs sharp ${figures.sharpSmallMicros.toFixed(0)} µs; ` +
      `640x480 JPEG jpeg-js ${figures.jpegjsPhotoMicros.toFixed(0)} µs vs sharp ${figures.sharpPhotoMicros.toFixed(0)} µs`,
  );

  const model = await loadDigitModel(modelFile);
  try {
    // model alone, batch 64: the reference the issue quotes
    const input = Float32Array.from(test.images.subarray(0, 64 * 784), (v) => v / 255);
    const modelRuns: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) await model.run(input, 64);
      modelRuns.push((50 * 64) / ((performance.now() - t0) / 1000));
    }
    figures.modelBatch64ImgPerS = median(modelRuns);

    const { rates: smallRuns, rows: smallRows } = await repeatDir(small, model);
    figures.smallPngImgPerS = median(smallRuns);
    figures.smallPngAccuracy = accuracy(smallRows);
    const evaluated = await evaluateModel(model, test, { batchSize: 500, worst: 0 });
    figures.evaluateAccuracy = evaluated.accuracy;
    log(
      `predict over ${n} 28x28 PNGs: median ${Math.round(figures.smallPngImgPerS)} img/s (runs: ${smallRuns.map(Math.round).join(', ')}); ` +
        `model alone at batch 64: ${Math.round(figures.modelBatch64ImgPerS)} img/s`,
    );
    log(
      `accuracy through files ${(figures.smallPngAccuracy * 100).toFixed(2)}% vs evaluate ${(figures.evaluateAccuracy * 100).toFixed(2)}%`,
    );
    const cliRuns = [0, 1, 2, 3, 4].map(() => builtCliRun(small)).filter((x) => x !== null);
    if (cliRuns.length === 5) {
      figures.builtCliSmallPngImgPerS = median(cliRuns.map((r) => r.summary));
      figures.builtCliSmallPngWallSeconds = median(cliRuns.map((r) => r.wallSeconds));
      log(
        `the built CLI over the same ${n} PNGs: median ${Math.round(figures.builtCliSmallPngImgPerS)} img/s in its own summary (runs: ${cliRuns.map((r) => r.summary).join(', ')}); ` +
          `the whole process ${figures.builtCliSmallPngWallSeconds.toFixed(2)} s, ${Math.round(n / figures.builtCliSmallPngWallSeconds)} img/s with start-up (runs: ${cliRuns.map((r) => r.wallSeconds.toFixed(2)).join(', ')} s)`,
      );
    } else {
      log('the built CLI was not measured: run npm run build first');
    }

    const { rates: photoRuns, rows: photoRows } = await repeatDir(photos, model);
    figures.photoJpegImgPerS = median(photoRuns);
    figures.photoJpegAccuracy = accuracy(photoRows);
    log(
      `predict over 1000 640x480 JPEGs: median ${Math.round(figures.photoJpegImgPerS)} img/s, accuracy ${(figures.photoJpegAccuracy * 100).toFixed(2)}%`,
    );

    for (const [kind, dir] of Object.entries(robust)) {
      const { rows } = await runDir(dir, model);
      figures[`robust_${kind}Accuracy`] = accuracy(rows);
      log(`robustness, ${kind}: ${(accuracy(rows) * 100).toFixed(2)}% of ${rows.length}`);
    }
  } finally {
    await model.close();
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchPredict();
  console.log(JSON.stringify(figures, null, 2));
}
