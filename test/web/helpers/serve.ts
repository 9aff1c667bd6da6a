import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** A running `lenet-onnx serve` child process. */
export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Ctrl-C it and resolve with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Start `lenet-onnx serve` (the CLI's own entry, through tsx so no stale build is tested) on a free port
 * and wait for the URL it prints.
 */
export function startServe(args: string[]): Promise<ServeProcess> {
  const cli = path.resolve('src/cli.ts');
  const code = `import(${JSON.stringify(cli)}).then((m) => m.main(['node', 'lenet-onnx', 'serve', '--port', '0', ...${JSON.stringify(args)}]))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/[^\s]+\/)/.exec(out);
      if (m) {
        resolve({
          url: m[1],
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              child.once('close', (c) => done(c));
              child.kill('SIGINT');
            }),
        });
      }
    });
    child.once('close', (c) =>
      reject(new Error(`lenet-onnx serve exited with ${c} before printing its URL: ${err || out}`)),
    );
  });
}
