// The serve job behind `lenet-onnx serve`: load the models, serve the API and the widget until a signal.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { readAnyModelFile } from '../runtime/node/model-file.js';
import { DEFAULT_ONNX_MODEL } from '../runtime/node/session.js';
import { buildServer } from '../server/app.js';
import { listen } from '../server/listen.js';
import { MODEL_VERSION } from '../server/model-metadata.js';
import {
  closeServedModels,
  loadServedModels,
  modelName,
  onnxFilesIn,
  servedEntry,
  type ServedModel,
} from '../server/models.js';
import { MODEL_URL_PATH, webDistDir } from '../server/paths.js';

/** Options of {@link startServe} (the parsed command line). */
export interface ServeJobOptions {
  host: string;
  port: number;
  /**
   * Model files, each served under its stem as version 1, or `NAME@VERSION=FILE` (see servedEntry); with
   * `modelDir`, added to its files.
   */
  models: string[];
  modelDir?: string;
  /** Rows per onnxruntime run at most, and how long a request waits for others (dynamic batching). */
  maxBatch: number;
  batchDelayMs: number;
  /** Off: one run per request. */
  batching: boolean;
  maxBodyMb: number;
  /** Request bodies held at once, in MiB (503 beyond). */
  maxBodiesMb: number;
  requestTimeoutMs: number;
  maxInFlight: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How long shutdown lets in-flight requests and downloads finish. */
  shutdownGraceMs: number;
  token?: string;
  cors: string[];
  /** Serve the widget's demo page (web/dist) beside the API. */
  web: boolean;
  /** Folder of the widget's files (default: web/dist of this package). */
  webRoot?: string;
}

/** Defaults of `lenet-onnx serve`: the command's option defaults, and what tests and benchmarks start from. */
export const SERVE_DEFAULTS: Readonly<Omit<ServeJobOptions, 'token' | 'modelDir' | 'webRoot'>> = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  models: [],
  maxBatch: 64,
  batchDelayMs: 1,
  batching: true,
  maxBodyMb: 16,
  maxBodiesMb: 64,
  requestTimeoutMs: 10_000,
  maxInFlight: 512,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  shutdownGraceMs: 10_000,
  cors: [],
  web: true,
});

/**
 * The name `/v1/*` uses when a request names no model: the runtime's default model when served, else the first
 * model that takes pictures.
 */
export const PREFERRED_MODEL = path.basename(DEFAULT_ONNX_MODEL, '.onnx');

/** The default model of the picture routes and the page, or undefined when no served model takes pictures. */
function defaultPictureModel(models: Map<string, ServedModel>): string | undefined {
  if (models.get(PREFERRED_MODEL)?.pictures) return PREFERRED_MODEL;
  return [...models.values()].find((m) => m.pictures)?.name;
}

/** A started server. */
export interface ServeHandle {
  url: string;
  models: Map<string, ServedModel>;
  /** The model of `/v1/*` requests that name none; undefined when no served model takes pictures. */
  defaultModel: string | undefined;
  /** Graceful stop, then the sessions released. */
  close(): Promise<void>;
}

/**
 * Load the models and start serving.
 * @throws UserError naming the option at fault: a missing or unusable model, no built page, a port in use.
 */
export async function startServe(o: ServeJobOptions): Promise<ServeHandle> {
  // an empty token would serve the API open, a blank one to nobody
  if (o.token !== undefined && o.token.trim() === '')
    throw new UsageError('--token: empty or blank; give the secret clients must send, or no token at all');
  const root = o.webRoot ?? webDistDir();
  if (o.web)
    await requireFile(
      path.join(root, 'index.html'),
      'built demo page',
      'build it first with `npm run build:web` (or pass --no-web)',
    );
  const asFile = (file: string) => ({ file, name: modelName(file), version: MODEL_VERSION });
  const dirFiles = o.modelDir !== undefined ? await onnxFilesIn(o.modelDir) : [];
  const entries = [...o.models.map(servedEntry), ...dirFiles.map(asFile)];
  const chosen = entries.length > 0;
  if (!chosen) entries.push(asFile(await defaultModelFile()));
  for (const e of entries) {
    await requireFile(
      e.file,
      chosen ? '--model' : 'default model',
      'pass the path of an .onnx file (see `lenet-onnx export`)',
    );
    await readAnyModelFile(e.file);
  }
  const models = await loadServedModels(entries, {
    enabled: o.batching,
    maxBatch: o.maxBatch,
    delayMs: o.batchDelayMs,
  });
  const defaultModel = defaultPictureModel(models);
  try {
    const built = await buildServer({
      models,
      defaultModel,
      // the page fetches its model from one URL: whichever model is the default is the one it gets
      site: o.web
        ? { root, overrides: chosen && defaultModel ? { [MODEL_URL_PATH]: models.get(defaultModel)!.file } : {} }
        : undefined,
      bodyLimitBytes: Math.round(o.maxBodyMb * 1024 * 1024),
      bodyBudgetBytes: Math.round(o.maxBodiesMb * 1024 * 1024),
      requestTimeoutMs: o.requestTimeoutMs,
      maxInFlight: o.maxInFlight,
      headersTimeoutMs: o.headersTimeoutMs,
      bodyTimeoutMs: o.bodyTimeoutMs,
      keepAliveTimeoutMs: o.keepAliveTimeoutMs,
      token: o.token,
      corsOrigins: o.cors,
      topK: 3,
    });
    const running = await listen(built, o.host, o.port, o.shutdownGraceMs);
    let closing: Promise<void> | undefined;
    return {
      url: running.url,
      models,
      defaultModel,
      close: () =>
        (closing ??= (async () => {
          await running.close();
          await closeServedModels(models);
        })()),
    };
  } catch (err) {
    await closeServedModels(models);
    throw err;
  }
}

/**
 * Serve until SIGINT or SIGTERM, then finish what is in flight and stop.
 * @param log where the URL line and the stop line go.
 */
export async function runServe(
  o: ServeJobOptions,
  log: (line: string) => void = (l) => {
    process.stdout.write(l + '\n');
  },
): Promise<void> {
  const h = await startServe(o);
  const list = [...h.models.values()]
    .flatMap((m) => [...m.versions.values()])
    .map((v) => {
      const at = v.versions.size > 1 ? `@${v.version}` : '';
      return `${v.name}${at} (${path.relative(process.cwd(), v.file) || v.file})`;
    })
    .join(', ');
  log(
    `serving ${o.web ? 'the widget and ' : ''}the inference API at ${h.url} (models: ${list}; ${h.defaultModel ? `default ${h.defaultModel}` : 'none takes pictures'})${o.token ? '; API needs a bearer token' : ''}; press Ctrl-C to stop`,
  );
  await untilSignal();
  await h.close();
  log('stopped');
}

/**
 * The runtime's default model, inside this package: served under its own name (the same from a clone and from
 * an install), never under the name of the widget's copy.
 */
async function defaultModelFile(): Promise<string> {
  const found = await fs.stat(DEFAULT_ONNX_MODEL).then(
    (s) => s.isFile(),
    () => false,
  );
  if (found) return DEFAULT_ONNX_MODEL;
  throw new UserError(
    `no model to serve: ${DEFAULT_ONNX_MODEL} not found; run \`npm run models\`, or pass --model FILE or --model-dir DIR`,
  );
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
