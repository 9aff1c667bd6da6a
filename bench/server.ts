// Benchmark of `lenet-onnx serve` under load with autocannon on 127.0.0.1: single-image infer at concurrency 1,
// 32 and 128; /v1/predict with 28x28 PNG bodies; dynamic batching on vs off, alternating in the same run; a
// soak that reports the server's RSS growth and open descriptors; and a flood of oversized pictures during which
// the readiness probe's latency and the server's RSS are watched. Each server runs in a child process of its own
// so the load generator does not share its event loop.
// Run: npm run bench:server                  (short runs)
//      npm run bench:server -- --full        (longer runs, 60 s soak)
//      npm run bench:server -- --only flood  (the flood of oversized pictures alone)
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { readMnist } from '../src/data/idx.js';
import { ihdr, pngFromChunks } from '../test/hostile/helpers.js';
import { mean } from './stats.js';

/** The part of autocannon's API and result used here (the package ships no type declarations). */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Cannon = (o: {
  url: string;
  method: string;
  connections: number;
  duration: number;
  body: Buffer | string;
  headers: Record<string, string>;
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const FULL = process.argv.includes('--full');
const SECONDS = FULL ? 10 : 4;
const SOAK_SECONDS = FULL ? 60 : 15;
const MODEL = process.env.LENET_BENCH_ONNX ?? 'models/lenet5.onnx';
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const FLOOD_SECONDS = FULL ? 30 : 15;
const TARGETS = {
  inferC32: 4000,
  inferP99Ms: 25,
  predict: 2500,
  batchingRatio: 1.5,
  soakRssGrowth: 0.1,
  floodHealthP99Ms: 100,
  floodRssBytes: 1024 ** 3,
};

interface Server {
  url: string;
  child: ChildProcess;
  pid: number;
}

/** Start `lenet-onnx serve` (API only) in a child process and wait for its URL. */
function startServer(extra: string[]): Promise<Server> {
  const cli = path.resolve('src/cli.ts');
  const args = [
    'node',
    'lenet-onnx',
    'serve',
    '--port',
    '0',
    '--no-web',
    '--model',
    MODEL,
    '--max-in-flight',
    '4096',
    ...extra,
  ];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '-e', `import(${JSON.stringify(cli)}).then((m) => m.main(${JSON.stringify(args)}))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/[^\s]+\/)/.exec(out);
      if (m) resolve({ url: m[1], child, pid: child.pid! });
    });
    child.once('close', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

function stopServer(s: Server): Promise<void> {
  return new Promise((resolve) => {
    s.child.once('close', () => resolve());
    s.child.kill('SIGTERM');
  });
}

interface Run {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

async function load(
  url: string,
  connections: number,
  body: Buffer | string,
  contentType: string,
  seconds = SECONDS,
): Promise<Run> {
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    body,
    headers: { 'content-type': contentType },
  });
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    total: r.requests.total,
  };
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

const show = (name: string, r: Run) =>
  console.log(
    `${name.padEnd(34)} ${Math.round(r.reqPerSec).toString().padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(5)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  errors ${r.errors}/${r.total}`,
  );
const verdict = (ok: boolean) => (ok ? 'meets target' : 'BELOW target');

/**
 * POST `body` on `connections` loops, each sending again once answered, until `until` (epoch ms); the answers
 * counted by status ('error' for a failed connection). Requests still open at the end are waited for.
 */
async function postUntil(
  url: string,
  connections: number,
  body: Buffer,
  contentType: string,
  until: number,
): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  const count = (k: string) => (statuses[k] = (statuses[k] ?? 0) + 1);
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        try {
          const r = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': contentType },
            body: new Uint8Array(body),
          });
          await r.arrayBuffer();
          count(String(r.status));
        } catch {
          count('error');
        }
      }
    }),
  );
  return statuses;
}

/** A `width` x `height` PNG of zeros at `depth` bits and `channels` channels: a small file, a large decode. */
function oversizedPng(width: number, height: number, depth: number, channels: number): Buffer {
  const raw = Buffer.alloc((1 + (width * channels * depth) / 8) * height);
  return pngFromChunks([
    ['IHDR', ihdr(width, height, depth, { 1: 0, 2: 4, 3: 2, 4: 6 }[channels]!)],
    ['IDAT', zlib.deflateSync(raw, { level: 9 })],
    ['IEND', Buffer.alloc(0)],
  ]);
}

/**
 * While autocannon sends oversized pictures to /v1/predict (7000x7000 RGBA and 16-bit gray PNGs, and a 7000x7000
 * JPEG cut after its first 4 KB), probe /v2/health/ready every 10 ms and sample the server's RSS every 50 ms.
 */
async function oversizedFlood(): Promise<void> {
  const bodies: Array<[string, Buffer, string]> = [
    ['7000x7000 RGBA PNG', oversizedPng(7000, 7000, 8, 4), 'image/png'],
    ['7000x7000 16-bit gray PNG', oversizedPng(7000, 7000, 16, 1), 'image/png'],
    [
      '7000x7000 JPEG cut at 4 KB',
      (
        await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#808080' } })
          .jpeg()
          .toBuffer()
      ).subarray(0, 4096),
      'image/jpeg',
    ],
  ];
  const s = await startServer([]);
  try {
    const rss0 = rssOf(s.pid);
    let rssMax = rss0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, rssOf(s.pid));
    }, 50);
    const until = Date.now() + FLOOD_SECONDS * 1000;
    const flood = Promise.all(bodies.map(([, body, type]) => postUntil(s.url + 'v1/predict', 4, body, type, until)));
    let done = false;
    void flood.finally(() => {
      done = true;
    });
    const health: number[] = [];
    let failed = 0;
    while (!done) {
      const t = performance.now();
      const r = await fetch(s.url + 'v2/health/ready');
      await r.arrayBuffer();
      health.push(performance.now() - t);
      if (r.status !== 200) failed++;
      await new Promise((r) => setTimeout(r, 10));
    }
    const runs = await flood;
    clearInterval(sampler);
    health.sort((a, b) => a - b);
    const q = (p: number) => health[Math.min(health.length - 1, Math.floor(p * health.length))];
    const p99 = q(0.99);
    console.log(
      `oversized pictures, 3 x c4, ${FLOOD_SECONDS} s: ${runs.map((r, i) => `${bodies[i][0]}: ${JSON.stringify(r)}`).join('; ')}`,
    );
    console.log(
      `  /v2/health/ready meanwhile: ${health.length} probes, p50 ${q(0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${health.at(-1)!.toFixed(1)} ms, ${failed} not 200; target p99 <= ${TARGETS.floodHealthP99Ms} ms: ${verdict(p99 <= TARGETS.floodHealthP99Ms && failed === 0)}`,
    );
    console.log(
      `  server RSS ${(rss0 / 2 ** 20).toFixed(0)} MiB before, ${(rssMax / 2 ** 20).toFixed(0)} MiB at most; target < ${TARGETS.floodRssBytes / 2 ** 20} MiB: ${verdict(rssMax < TARGETS.floodRssBytes)}`,
    );
  } finally {
    await stopServer(s);
  }
}

async function main(): Promise<void> {
  if (ONLY === 'flood') return oversizedFlood();
  if (ONLY !== undefined) throw new Error(`--only: unknown case '${ONLY}'; valid: flood`);
  const mnist = await readMnist('test');
  const pixels = Array.from(mnist.images.subarray(0, 784), (v) => v / 255);
  const inferBody = JSON.stringify({
    inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 1, 28, 28], data: pixels }],
  });
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) png.data.set([mnist.images[i], mnist.images[i], mnist.images[i], 255], 4 * i);
  const pngBody = PNG.sync.write(png, { colorType: 0 });

  console.log(
    `# lenet-onnx serve under autocannon, ${SECONDS} s per run${FULL ? ' (full)' : ''}; model ${MODEL}; ${process.platform} ${process.arch}, node ${process.version}`,
  );
  console.log("# load generator and server share this machine's cores");

  const on = await startServer([]);
  const off = await startServer(['--no-batching']);
  try {
    const inferOn = on.url + 'v2/models/lenet5/infer';
    const inferOff = off.url + 'v2/models/lenet5/infer';
    await load(inferOn, 8, inferBody, 'application/json', 1); // warm-up
    await load(inferOff, 8, inferBody, 'application/json', 1);

    const c1 = await load(inferOn, 1, inferBody, 'application/json');
    show('infer c1 (batching on)', c1);
    const c32 = await load(inferOn, 32, inferBody, 'application/json');
    show('infer c32 (batching on)', c32);
    const c128 = await load(inferOn, 128, inferBody, 'application/json');
    show('infer c128 (batching on)', c128);
    console.log(
      `  c32 target >= ${TARGETS.inferC32} req/s, p99 <= ${TARGETS.inferP99Ms} ms: ${verdict(c32.reqPerSec >= TARGETS.inferC32 && c32.p99 <= TARGETS.inferP99Ms)}`,
    );

    const pr = await load(on.url + 'v1/predict', 32, pngBody, 'image/png');
    show('/v1/predict 28x28 PNG c32', pr);
    console.log(`  target >= ${TARGETS.predict} req/s: ${verdict(pr.reqPerSec >= TARGETS.predict)}`);

    // alternate so that whatever else the machine is doing falls on both sides alike
    const rounds = FULL ? 3 : 2;
    const onRuns: Run[] = [],
      offRuns: Run[] = [];
    for (let i = 0; i < rounds; i++) {
      onRuns.push(await load(inferOn, 32, inferBody, 'application/json'));
      offRuns.push(await load(inferOff, 32, inferBody, 'application/json'));
    }
    const onRate = mean(onRuns.map((r) => r.reqPerSec)),
      offRate = mean(offRuns.map((r) => r.reqPerSec));
    const ratio = onRate / offRate;
    console.log(
      `batching on vs off, c32, ${rounds} alternating rounds: ${Math.round(onRate)} vs ${Math.round(offRate)} req/s, ratio ${ratio.toFixed(2)}x (p99 ${onRuns.at(-1)!.p99} vs ${offRuns.at(-1)!.p99} ms)`,
    );
    console.log(`  target >= ${TARGETS.batchingRatio}x: ${verdict(ratio >= TARGETS.batchingRatio)}`);

    const rss0 = rssOf(on.pid),
      fd0 = fdsOf(on.pid);
    const soak = await load(inferOn, 64, inferBody, 'application/json', SOAK_SECONDS);
    await new Promise((r) => setTimeout(r, 1000));
    const rss1 = rssOf(on.pid),
      fd1 = fdsOf(on.pid);
    show(`soak c64 ${SOAK_SECONDS} s`, soak);
    const growth = (rss1 - rss0) / rss0;
    console.log(
      `  server RSS ${(rss0 / 2 ** 20).toFixed(0)} -> ${(rss1 / 2 ** 20).toFixed(0)} MiB (${(growth * 100).toFixed(1)}%), descriptors ${fd0} -> ${fd1}; target growth < ${TARGETS.soakRssGrowth * 100}%: ${verdict(growth < TARGETS.soakRssGrowth)}`,
    );
  } finally {
    await stopServer(on);
    await stopServer(off);
  }
  await oversizedFlood();
}

await main();
