/**
 * Picture endpoints: a picture in the body (raw, with its image content type) answered with exactly the JSON
 * row `lenet-onnx predict --format json` prints for that picture. `/v1/read` is the place for reading a whole
 * number; until a reader is given it answers 501.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { rejectIndex } from '../runtime/contract.js';
import { readRecord } from '../runtime/node/read.js';
import { predictInput } from '../runtime/predict-input.js';
import {
  failedRow,
  predictRecord,
  rankedRow,
  severalCharactersNote,
  type PredictRow,
} from '../runtime/node/predict.js';
import { ApiError, badField } from './api-error.js';
import { requestDeadline, untilAborted } from './deadline.js';
import type { PictureModel, ServedModel } from './models.js';
import type { RequestWork } from './request-work.js';

/** Content types accepted as a raw picture; the bytes decide the format, as they do for files. */
export const PICTURE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/tiff'];

/** What the picture routes need from the server. */
export interface V1Context {
  models: Map<string, ServedModel>;
  /** The model a request naming none uses: a picture model, or none when no served model takes pictures. */
  defaultModel?: string;
  /** Longest a picture may take, decoding and queueing included (503 beyond). */
  requestTimeoutMs: number;
  /** Default of the `top_k` query parameter: the CLI's `--top-k` default. */
  topK: number;
  /** Where pictures are decoded and lines read, off the event loop. */
  work: RequestWork;
}

type PictureQuery = { model?: unknown; top_k?: unknown; path?: unknown };

/**
 * A query parameter given at most once: a repeated one is refused (400) rather than one of its values picked,
 * since a client that sends two means one of them and the server cannot know which.
 */
export function queryValue(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw badField(name, `given ${v.length} times; give it once`);
  return v === undefined ? undefined : String(v);
}

// one formatter for the process: jsonl's row is the very record the json format prints, without the list around it
const formatRow = (row: PredictRow): string => JSON.stringify(predictRecord(row)) + '\n';

/** Register `/v1/predict` and `/v1/read` on `app` (the API context). */
export function registerV1Routes(app: FastifyInstance, ctx: V1Context): void {
  app.post<{ Querystring: PictureQuery }>('/v1/predict', async (req, reply) => {
    const q = pictureQuery(req.query);
    const m = modelOf(ctx, q.model);
    const topK = topKOf(q.topK, ctx.topK, m.outputSize);
    const bytes = pictureBytes(req);
    const signal = requestDeadline(reply, ctx.requestTimeoutMs);
    const row = await untilAborted(predictPicture(m, bytes, q.path, topK, ctx.work, signal), signal);
    // a picture that cannot be read is the client's to fix: 422 with the row that says why
    return reply
      .code(row.error ? 422 : 200)
      .type('application/json; charset=utf-8')
      .send(formatRow(row));
  });
  app.post<{ Querystring: PictureQuery }>('/v1/read', async (req, reply) => {
    const q = pictureQuery(req.query);
    const m = modelOf(ctx, q.model);
    const bytes = pictureBytes(req);
    const signal = requestDeadline(reply, ctx.requestTimeoutMs);
    const row = await untilAborted(ctx.work.read(bytes, m, q.path, signal), signal);
    // the very record `lenet-onnx read --format json` prints
    return reply
      .code(row.error ? 422 : 200)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(readRecord(row)) + '\n');
  });
}

/** The query of a picture route, each parameter at most once. */
function pictureQuery(query: PictureQuery): { model?: string; topK?: string; path: string } {
  return {
    model: queryValue(query, 'model'),
    topK: queryValue(query, 'top_k'),
    path: queryValue(query, 'path') ?? 'upload',
  };
}

/** The predict row for one picture held in memory: decoded in a worker, run through the model's batcher. */
export async function predictPicture(
  m: PictureModel,
  bytes: Uint8Array,
  path: string,
  topK: number,
  work: RequestWork,
  signal: AbortSignal,
): Promise<PredictRow> {
  const r = await work.pictureInput(bytes, m.contract, signal);
  if (!r.ok) return failedRow(path, r.error);
  return {
    ...rankedRow(path, await predictInput(m, r.input, signal), m.contract.labels, topK, rejectIndex(m.contract)),
    note: severalCharactersNote(r.characters),
  };
}

/**
 * The picture model a request names, or the default one. A served model without the digit contract is a 400
 * naming `model`: the request is fine but for the value of that parameter, and the client fixes it by naming
 * another model or by sending the model's tensors to `/v2/models/{name}/infer` (see docs/serving.md).
 */
function modelOf(ctx: V1Context, name: string | undefined): PictureModel {
  const takers = [...ctx.models.values()].filter((m) => m.pictures).map((m) => `'${m.name}'`);
  const which =
    takers.length > 0 ? `models that take pictures: ${takers.join(', ')}` : 'no served model takes pictures';
  if (name === undefined && ctx.defaultModel === undefined)
    throw new ApiError(
      404,
      `no served model takes pictures: each lacks the digit input contract; send tensors to /v2/models/{name}/infer instead`,
    );
  const m = ctx.models.get(name ?? ctx.defaultModel!);
  if (!m)
    throw new ApiError(
      404,
      `unknown model '${name}'; served: ${[...ctx.models.keys()].map((k) => `'${k}'`).join(', ')}`,
    );
  if (!m.pictures)
    throw badField(
      'model',
      `'${m.name}' has no picture contract (its file carries no lenet-onnx input contract), so it takes tensors only: POST them to /v2/models/${m.name}/infer; ${which}`,
    );
  return m.pictures;
}

function topKOf(raw: string | undefined, fallback: number, labels: number): number {
  if (raw === undefined) return Math.min(fallback, labels);
  const k = Number(raw);
  if (!Number.isInteger(k) || k < 1 || k > labels)
    throw badField('top_k', `expected an integer from 1 to ${labels}, got '${raw}'`);
  return k;
}

function pictureBytes(req: FastifyRequest): Uint8Array {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (!PICTURE_CONTENT_TYPES.includes(type)) {
    throw new ApiError(
      415,
      `content type '${type || '(none)'}': send the picture's bytes as ${PICTURE_CONTENT_TYPES.join(', ')}`,
    );
  }
  if (!Buffer.isBuffer(req.body) || req.body.length === 0)
    throw badField('request body', "empty: expected the picture's bytes");
  return req.body;
}
