// Hostile inputs to the built CLI's `predict`: each refused with a row naming the file and one error line,
// within the time and memory bounds, leaving nothing behind. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { readMnist } from '../../src/data/idx.js';
import { bmpBytes, pngBytes } from '../runtime/helpers/files.js';
import {
  assertRefused,
  assertUntouched,
  bombPng,
  caseDir,
  csvError,
  ihdr,
  pngFromChunks,
  runCli,
  snapshot,
} from './helpers.js';

const mnist = await readMnist('test');
const digit = { width: 28, height: 28, data: mnist.images.slice(0, 784) };

/** `predict FILE --format csv` must fail that file's row with `reason` and exit 1 with one error line. */
async function refusedRow(file: string, reason: RegExp, what: string): Promise<void> {
  const dir = path.dirname(file);
  const before = snapshot(dir);
  const r = await runCli(['predict', file, '--format', 'csv']);
  assertRefused(r, what, 1, /1 of 1 pictures failed; their rows say why/);
  const row = csvError(r.stdout, file)!;
  assert.match(row, reason, what);
  assertUntouched(dir, before);
  console.log(`${what}: exit ${r.code} in ${Math.round(r.ms)} ms, peak RSS ${Math.round(r.peakBytes / 2 ** 20)} MiB`);
}

test('a decompression bomb: a 1x1 PNG whose data inflates to 3 GiB', async () => {
  const dir = caseDir('bomb');
  const file = path.join(dir, 'bomb.png');
  writeFileSync(file, bombPng(3));
  await refusedRow(file, /PNG image data inflates past the 2 bytes its 1x1 header allows: refused/, 'bomb');
});

test('a PNG claiming 20000x20000 pixels', async () => {
  const dir = caseDir('claim');
  const file = path.join(dir, 'huge.png');
  writeFileSync(
    file,
    pngFromChunks([
      ['IHDR', ihdr(20000, 20000)],
      ['IDAT', Buffer.from([0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])],
      ['IEND', Buffer.alloc(0)],
    ]),
  );
  await refusedRow(
    file,
    /20000x20000 \(400 megapixels\), over the 50-megapixel limit: refused without decoding/,
    '20000x20000',
  );
});

test('/dev/zero, a FIFO named on the command line, and a FIFO inside a folder', async () => {
  await refusedRow('/dev/zero', /is a character device, not a regular file: refused/, '/dev/zero');
  const dir = caseDir('fifo');
  const fifo = path.join(dir, 'pipe.png');
  execFileSync('mkfifo', [fifo]);
  await refusedRow(fifo, /is a FIFO \(named pipe\), not a regular file: refused/, 'FIFO argument');
  const folder = caseDir('fifo-dir');
  writeFileSync(path.join(folder, 'a.png'), pngBytes(digit));
  execFileSync('mkfifo', [path.join(folder, 'b.png')]);
  const before = snapshot(folder);
  const r = await runCli(['predict', folder, '--format', 'csv']);
  assertRefused(r, 'FIFO in a folder', 1, /1 of 2 pictures failed/);
  assert.match(csvError(r.stdout, 'a.png')!, /,7,/);
  assert.match(csvError(r.stdout, 'b.png')!, /is a FIFO \(named pipe\)/);
  assertUntouched(folder, before);
});

test('a corrupt CRC, on the direct PNG path and the pngjs path alike', async () => {
  const dir = caseDir('crc');
  const plain = Buffer.from(pngBytes(digit));
  const palette = await sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } })
    .png({ palette: true })
    .toBuffer();
  for (const [name, bytes] of [
    ['plain.png', plain],
    ['palette.png', palette],
  ] as const) {
    const idat = bytes.indexOf('IDAT');
    bytes[idat + 4] ^= 0x10; // first data byte; CRC kept
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    await refusedRow(
      file,
      /corrupt PNG: chunk 'IDAT' at byte \d+ fails its CRC check; the file is damaged/,
      `corrupt CRC (${name})`,
    );
  }
});

test('a BMP with a negative width', async () => {
  const dir = caseDir('bmp');
  const b = Buffer.from(bmpBytes(digit));
  b.writeInt32LE(-28, 18);
  const file = path.join(dir, 'negative.bmp');
  writeFileSync(file, b);
  await refusedRow(file, /corrupt BMP: the header gives a negative width \(-28\)/, 'negative-width BMP');
});

test('truncated PNG, JPEG, GIF and BMP files', async () => {
  const dir = caseDir('truncated');
  const raw = () => sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } });
  const files: Array<[string, Uint8Array, RegExp]> = [
    ['cut.png', pngBytes(digit).subarray(0, 70), /corrupt or truncated PNG/],
    ['cut.jpg', (await raw().jpeg().toBuffer()).subarray(0, 300), /truncated JPEG/],
    ['cut.gif', (await raw().gif().toBuffer()).subarray(0, 40), /truncated GIF/],
    ['cut.bmp', bmpBytes(digit).subarray(0, 500), /truncated BMP/],
  ];
  for (const [name, bytes] of files) writeFileSync(path.join(dir, name), bytes);
  const before = snapshot(dir);
  const r = await runCli(['predict', dir, '--format', 'csv']);
  assertRefused(r, 'truncated files', 1, /4 of 4 pictures failed/);
  for (const [name, , re] of files) assert.match(csvError(r.stdout, name)!, re, name);
  assertUntouched(dir, before);
});
