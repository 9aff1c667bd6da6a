import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start the worker thread whose entry module is `name` beside the caller (`callerUrl` = the caller's
 * `import.meta.url`). Compiled code starts `name.js`. Under tsx (tests, benchmarks) the sources are .ts, and
 * Node 20 does not carry the parent's `--import tsx` loader into a worker's entry module, so a tiny bootstrap
 * registers tsx first, then imports the source.
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
