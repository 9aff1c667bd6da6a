// Decode memory under a burst: forty pictures at once through decodePicture in one thread, each claiming 7000x7000
// (49 megapixels, under the limit). Two kinds: a few-KB JPEG whose header lies (its data cannot fill the claim),
// and a real 7000x7000 JPEG. Prints the peak RSS of the process and how long the burst took.
// Each kind runs in its own process, so the peak is that kind's: node --import tsx bench/decode-memory.ts
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { decodePicture } from '../src/runtime/node/images.js';
import { jpegClaiming } from '../test/runtime/helpers/files.js';

const BURST = 40;

async function realJpeg(): Promise<Uint8Array> {
  return sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#f4f4f0' } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

async function burst(kind: string): Promise<void> {
  const bytes = kind === 'lying' ? await jpegClaiming(7000, 7000) : await realJpeg();
  const t0 = performance.now();
  let decoded = 0,
    refused = 0;
  await Promise.all(
    Array.from({ length: BURST }, () =>
      decodePicture(bytes).then(
        () => decoded++,
        () => refused++,
      ),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `${kind} 7000x7000 JPEG (${bytes.length} bytes) x ${BURST} at once: ${decoded} decoded, ${refused} refused in ${seconds.toFixed(2)} s, peak RSS ${peak} MiB`,
  );
}

const kind = process.argv[2];
if (kind) await burst(kind);
else
  for (const k of ['lying', 'real'])
    spawnSync(process.execPath, ['--import', 'tsx', process.argv[1], k], { stdio: 'inherit' });
