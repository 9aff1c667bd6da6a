import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { ContractError, contractFromMetadata } from '../runtime/contract.js';
import { OnnxFormatError, readOnnxInfo } from '../runtime/onnx-info.js';
import { MODEL_URL_PATH, webDistDir } from '../serve/paths.js';
import { startServer } from '../serve/start.js';
import { intOption } from './options.js';

/** `lenet-onnx serve`: serve the built widget demo page and a model until Ctrl-C. */
export function registerServe(program: Command): void {
  program.command('serve')
    .description('serve the browser widget demo (web/dist) and the model over HTTP until Ctrl-C')
    .option('--port <n>', 'TCP port (0 = any free port)', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--model <file>', `ONNX model served at ${MODEL_URL_PATH} (default: the one built into web/dist)`)
    .addHelpText('after', `
Examples:
  $ lenet-onnx serve
  $ lenet-onnx serve --port 0 --model models/lenet5.onnx`)
    .action(async (opts: { port: string; host: string; model?: string }) => {
      const port = intOption('--port', opts.port, 0, 65535);
      const root = webDistDir();
      await requireFile(path.join(root, 'index.html'), 'built demo page', 'build it first with `npm run build:web`');
      const overrides: Record<string, string> = {};
      if (opts.model !== undefined) {
        await requireFile(opts.model, '--model', 'pass the path of an .onnx file (see `lenet-onnx export`)');
        await requireWidgetModel(opts.model, '--model');
        overrides[MODEL_URL_PATH] = opts.model;
      } else {
        const built = path.join(root, MODEL_URL_PATH.slice(1));
        await requireFile(built, 'built model', 'run `lenet-onnx export` and `npm run build:web`, or pass --model FILE');
        await requireWidgetModel(built, 'built model');
      }
      const running = await startServer({ root, overrides, host: opts.host, port });
      const model = opts.model ?? path.relative(process.cwd(), path.join(root, MODEL_URL_PATH.slice(1)));
      process.stdout.write(`serving ${path.relative(process.cwd(), root) || '.'} at ${running.url} (model: ${model}); press Ctrl-C to stop\n`);
      await untilSignal();
      await running.close();
      process.stdout.write('stopped\n');
    });
}

async function requireFile(file: string, what: string, fix: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await fs.stat(file)).isFile();
  } catch {
    throw new UserError(`${what} '${file}': no such file; ${fix}`);
  }
  if (!isFile) throw new UserError(`${what} '${file}': not a regular file; ${fix}`);
}

/** The widget reads its input contract from the model: refuse to serve a file it could not use. */
async function requireWidgetModel(file: string, what: string): Promise<void> {
  try {
    contractFromMetadata(readOnnxInfo(new Uint8Array(await fs.readFile(file))).metadata);
  } catch (err) {
    if (err instanceof OnnxFormatError || err instanceof ContractError) {
      throw new UserError(`${what} '${file}': ${err.message}; pass a model written by \`lenet-onnx export\``);
    }
    throw err;
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
