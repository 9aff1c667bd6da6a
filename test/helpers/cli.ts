import { AsyncLocalStorage } from 'node:async_hooks';
import { main } from '../../src/cli.js';

/** What one in-process CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface Capture {
  out: string[];
  err: string[];
}
const capture = new AsyncLocalStorage<Capture>();
let patched = false;

// Route writes made inside a runCli call (and everything it awaits) to that call's buffers; writes
// from anywhere else (the test runner's own reporting) still reach the real streams.
function patchStreams(): void {
  if (patched) return;
  patched = true;
  for (const [stream, key] of [
    [process.stdout, 'out'],
    [process.stderr, 'err'],
  ] as const) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const c = capture.getStore();
      if (!c) return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      c[key].push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof stream.write;
  }
}

/** Run `lenet-onnx ARGS...` in this process, capturing its stdout and stderr. */
export async function runCli(...args: string[]): Promise<CliRun> {
  patchStreams();
  const c: Capture = { out: [], err: [] };
  const savedExit = process.exitCode;
  let code: number;
  try {
    code = await capture.run(c, () => main(['node', 'lenet-onnx', ...args]));
  } finally {
    process.exitCode = savedExit;
  }
  return { code, stdout: c.out.join(''), stderr: c.err.join('') };
}
