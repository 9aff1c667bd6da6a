// Running the built CLI on hostile input as a child process, under a time bound, measuring its peak memory,
// and checking what it left on disk. Needs `npm run build` first (dist/).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as zlib from 'node:zlib';
import { TEMP_PREFIX } from '../../src/fs/output-target.js';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const BIN = path.join(ROOT, 'bin/lenet-onnx.js');
/** The bounds every hostile case must stay within. */
export const LIMITS = { ms: 10_000, peakBytes: 1024 ** 3 } as const;
const GNU_TIME = '/usr/bin/time';
const HAS_GNU_TIME =
  existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

if (!existsSync(path.join(ROOT, 'dist/cli.js')))
  throw new Error("no dist/cli.js: run 'npm run build' before the hostile tests");

/** What one CLI run did. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident memory of the CLI process, in bytes. */
  peakBytes: number;
  timedOut: boolean;
}

/** A fresh directory for one case. */
export function caseDir(tag: string): string {
  return mkdtempSync(path.join(tmpdir(), `lenet-hostile-${tag}-`));
}

/**
 * Run `node bin/lenet-onnx.js ARGS...` in a new process group, killed (group and all) after {@link LIMITS}.ms.
 * Peak RSS comes from GNU time when installed, else from polling /proc/<pid>/status (VmHWM).
 */
export async function runCli(args: string[], o: { shell?: string } = {}): Promise<CliRun> {
  const rssFile = path.join(tmpdir(), `lenet-hostile-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const argv =
    o.shell !== undefined
      ? (['bash', ['-c', o.shell.replaceAll('$CLI', `'${process.execPath}' '${BIN}'`)]] as const)
      : HAS_GNU_TIME
        ? ([GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, BIN, ...args]] as const)
        : ([process.execPath, [BIN, ...args]] as const);
  const t0 = performance.now();
  const child = spawn(argv[0], [...argv[1]], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '',
    stderr = '',
    hwmKiB = 0,
    timedOut = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  const poll =
    HAS_GNU_TIME && o.shell === undefined
      ? undefined
      : setInterval(() => {
          hwmKiB = Math.max(hwmKiB, groupHwmKiB(child.pid!));
        }, 20);
  const killer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, LIMITS.ms);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(killer);
  if (poll) clearInterval(poll);
  const ms = performance.now() - t0;
  if (existsSync(rssFile)) {
    const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kib)) hwmKiB = kib;
    rmSync(rssFile, { force: true });
  }
  return { code, signal, stdout, stderr, ms, peakBytes: hwmKiB * 1024, timedOut };
}

/** VmHWM of a process and its children (a shell pipeline's processes), in KiB; 0 once gone. */
function groupHwmKiB(pid: number): number {
  let total = 0;
  const pids = [pid];
  try {
    pids.push(
      ...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    /* gone */
  }
  for (const p of pids) {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total = Math.max(total, Number(m[1]));
    } catch {
      /* gone */
    }
  }
  return total;
}

/** Every entry under `dir` with what would change if it were touched. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      out.set(path.relative(dir, p), `${st.mode}:${st.ino}:${st.size}:${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Assert that nothing under `dir` changed except the entries named in `except` (relative paths). */
export function assertUntouched(dir: string, before: Map<string, string>, except: string[] = []): void {
  const after = snapshot(dir);
  const leftovers = [...after.keys()].filter((k) => path.basename(k).startsWith(TEMP_PREFIX));
  assert.deepEqual(leftovers, [], 'temp files left behind');
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    if (except.includes(k)) continue;
    assert.equal(after.get(k), before.get(k), `'${k}' was touched`);
  }
}

/** The bounds and the shape of the error output every hostile run must have. */
export function assertBounded(r: CliRun, what: string): void {
  assert.ok(!r.timedOut, `${what}: killed after ${LIMITS.ms} ms`);
  assert.ok(r.ms < LIMITS.ms, `${what}: took ${Math.round(r.ms)} ms`);
  assert.ok(r.peakBytes > 0, `${what}: no peak memory measured`);
  assert.ok(r.peakBytes < LIMITS.peakBytes, `${what}: peak RSS ${Math.round(r.peakBytes / 2 ** 20)} MiB`);
  assert.doesNotMatch(
    r.stderr,
    /^\s+at |\n\s+at |Error:.*\n.*\bat\b|node:internal/,
    `${what}: a stack trace on stderr:\n${r.stderr}`,
  );
}

/**
 * A refused run: exit code `code`, exactly one error line on stderr, naming `names` (the file or the option).
 * `predict` also prints its summary line (`N pictures, M failed ...`) on stderr; that one is allowed besides.
 */
export function assertRefused(r: CliRun, what: string, code: number, names: RegExp): string {
  assertBounded(r, what);
  assert.equal(r.code, code, `${what}: exit code ${r.code}, stderr:\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !/^\d+ pictures, \d+ failed/.test(l));
  assert.equal(lines.length, 1, `${what}: expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^lenet-onnx: error: /, what);
  assert.match(lines[0], names, what);
  return lines[0];
}

/** The CSV row `predict --format csv` printed for `file`: its error column, or undefined when it has none. */
export function csvError(stdout: string, file: string): string | undefined {
  const row = stdout.split('\n').find((l) => l.includes(file));
  assert.ok(row, `no row for '${file}' in:\n${stdout}`);
  return row;
}

/** PNG bytes from chunks (lengths and CRCs computed). */
export function pngFromChunks(chunks: Array<[string, Uint8Array]>): Buffer {
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const [type, data] of chunks) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
    parts.push(head, Buffer.from(data), crc);
  }
  return Buffer.concat(parts);
}

/** A PNG IHDR: 8-bit gray unless told otherwise. */
export function ihdr(width: number, height: number, depth = 8, colorType = 0): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b.set([depth, colorType, 0, 0, 0], 8);
  return b;
}

/**
 * A 1x1 gray PNG whose image data inflates to `gib` GiB of zeros: one megabyte of zeros compressed once with a
 * full flush (so it stands alone), repeated, then a final empty block and the right Adler-32. About 1 KiB of file
 * per MiB of output.
 */
export function bombPng(gib: number): Buffer {
  const MiB = 1 << 20;
  const segment = zlib.deflateRawSync(new Uint8Array(MiB), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const n = gib * 1024;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((((n * MiB) % 65521) << 16) | 1) >>> 0, 0);
  const idat = Buffer.concat([
    Buffer.from([0x78, 0x01]),
    ...new Array<Buffer>(n).fill(segment),
    zlib.deflateRawSync(new Uint8Array(0)),
    adler,
  ]);
  return pngFromChunks([
    ['IHDR', ihdr(1, 1)],
    ['IDAT', idat],
    ['IEND', Buffer.alloc(0)],
  ]);
}
