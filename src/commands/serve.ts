import type { Command } from 'commander';
import { runServe, SERVE_DEFAULTS } from '../jobs/serve.js';
import { MODEL_URL_PATH } from '../server/paths.js';
import { UsageError } from '../errors.js';
import { intOption, positiveNumberOption } from './options.js';

const collect = (v: string, acc: string[]) => [...acc, v];
const d = SERVE_DEFAULTS;

/** `lenet-onnx serve`: the inference API (Open Inference Protocol, pictures) and the widget demo until Ctrl-C. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve models over HTTP (Open Inference Protocol v2, /v1/predict for pictures) and the browser widget demo, until Ctrl-C',
    )
    .option('--port <n>', 'TCP port (0 = any free port)', String(d.port))
    .option('--host <addr>', 'address to listen on', d.host)
    .option(
      '--model <file>',
      `ONNX model served under its file stem, or NAME@VERSION=FILE to serve files as versions of one name (repeatable); any ONNX file takes tensors, one with the digit contract pictures too; the default picture model is also the widget's ${MODEL_URL_PATH}`,
      collect,
      [],
    )
    .option('--model-dir <dir>', 'serve every .onnx file in this folder')
    .option('--max-batch <n>', 'dynamic batching: most rows per model run', String(d.maxBatch))
    .option('--batch-delay-ms <ms>', 'dynamic batching: longest a request waits for others', String(d.batchDelayMs))
    .option('--no-batching', 'one model run per request')
    .option('--max-body-mb <n>', 'largest request body (413 beyond)', String(d.maxBodyMb))
    .option(
      '--max-bodies-mb <n>',
      'request bodies held at once, in MiB (503 with Retry-After beyond)',
      String(d.maxBodiesMb),
    )
    .option('--request-timeout-ms <ms>', 'longest an API request may take (503 beyond)', String(d.requestTimeoutMs))
    .option(
      '--max-in-flight <n>',
      'API requests in flight at most (503 with Retry-After beyond)',
      String(d.maxInFlight),
    )
    .option('--headers-timeout-ms <ms>', 'longest a client may take to send its headers', String(d.headersTimeoutMs))
    .option('--keep-alive-ms <ms>', 'idle keep-alive connections are closed after this', String(d.keepAliveTimeoutMs))
    .option('--token <secret>', 'require Authorization: Bearer <secret> on the API (default: $LENET_TOKEN)')
    .option('--cors <origin>', 'allow this origin to call the API from a browser (repeatable)', collect, [])
    .option('--no-web', 'serve the API only, not the widget demo')
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx serve
  $ lenet-onnx serve --port 0 --model models/lenet5.onnx --model models/classic.onnx
  $ lenet-onnx serve --model lenet5@5=models/lenet5.onnx --model lenet5@20=models/lenet5-e20.onnx
  $ curl -s localhost:8080/v2/models/lenet5
  $ curl -s --data-binary @examples/mnist-7.png -H 'content-type: image/png' localhost:8080/v1/predict`,
    )
    .action(async (opts: Record<string, unknown>) => {
      await runServe({
        ...d,
        port: intOption('--port', opts.port as string, 0, 65535),
        host: opts.host as string,
        models: opts.model as string[],
        modelDir: opts.modelDir as string | undefined,
        maxBatch: intOption('--max-batch', opts.maxBatch as string, 1, 4096),
        batchDelayMs: intOption('--batch-delay-ms', opts.batchDelayMs as string, 0, 1000),
        batching: opts.batching as boolean,
        maxBodyMb: positiveNumberOption('--max-body-mb', opts.maxBodyMb as string),
        maxBodiesMb: positiveNumberOption('--max-bodies-mb', opts.maxBodiesMb as string),
        requestTimeoutMs: intOption('--request-timeout-ms', opts.requestTimeoutMs as string, 1),
        maxInFlight: intOption('--max-in-flight', opts.maxInFlight as string, 1),
        headersTimeoutMs: intOption('--headers-timeout-ms', opts.headersTimeoutMs as string, 100),
        keepAliveTimeoutMs: intOption('--keep-alive-ms', opts.keepAliveMs as string, 1),
        token: tokenOption(opts.token as string | undefined, process.env.LENET_TOKEN),
        cors: opts.cors as string[],
        web: opts.web as boolean,
      });
    });
}

/**
 * The bearer token from --token, else from LENET_TOKEN. An empty or blank one is refused: it would otherwise
 * serve the API open (an unset variable expanded to "") or to nobody (blanks no header can carry).
 */
function tokenOption(flag: string | undefined, env: string | undefined): string | undefined {
  const [name, value] = flag !== undefined ? ['--token', flag] : ['LENET_TOKEN', env];
  if (value === undefined) return undefined;
  const fix =
    name === '--token'
      ? 'give the secret clients must send, or leave --token out to serve without one'
      : 'set it to the secret clients must send, or unset it to serve without one';
  if (value.trim() === '') throw new UsageError(`${name}: empty or blank; ${fix}`);
  if (value !== value.trim())
    throw new UsageError(`${name}: begins or ends with whitespace, which no Authorization header can carry; ${fix}`);
  if (!/^[\x20-\x7e]+$/.test(value))
    throw new UsageError(`${name}: only printable ASCII can travel in an Authorization header; ${fix}`);
  return value;
}
