import { Worker } from 'node:worker_threads';

/**
 * Start a training worker thread. From the compiled CLI (dist/*.js) the entry is worker.js next to
 * this file. Under tsx (tests, benchmarks) the sources are .ts, and Node 20 does not carry the parent's
 * `--import tsx` loader into a worker's entry module, so a tiny bootstrap registers tsx first.
 */
export function spawnWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  // The tfjs "install the node backend" banner would be printed once per worker: keep worker stdout.
  const common = { workerData, execArgv: [] as string[], stdout: true } as const;
  let worker: Worker;
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker.ts', here).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    worker = new Worker(boot, { ...common, eval: true });
  } else {
    worker = new Worker(new URL('./worker.js', here), common);
  }
  worker.stdout.resume();
  return worker;
}
