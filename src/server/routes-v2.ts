/**
 * The Open Inference Protocol (KServe v2) over REST: health, server and model metadata, model readiness and
 * inference, each also under `/versions/{version}` for the one version a served file has.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VERSION } from '../version.js';
import { ApiError, badField } from './api-error.js';
import { parseInferRequest } from './infer-request.js';
import { INFERENCE_HEADER, inferReply } from './infer-response.js';
import { requestDeadline, untilAborted } from './deadline.js';
import { MODEL_VERSION } from './model-metadata.js';
import type { ServedModel } from './models.js';

/** Protocol extensions this server implements, as `GET /v2` lists them. */
export const EXTENSIONS = ['binary_tensor_data'];

/** What the v2 routes need from the server. */
export interface V2Context {
  models: Map<string, ServedModel>;
  /** False once shutdown has begun, so readiness probes steer traffic away first. */
  ready(): boolean;
  /** Longest an inference may take, queueing included (503 beyond). */
  requestTimeoutMs: number;
}

type ModelParams = { name: string; version?: string };

/** The model a path names, or 404 as the protocol asks for an unknown model or version. */
function modelFor(ctx: V2Context, p: ModelParams): ServedModel {
  const m = ctx.models.get(p.name);
  if (!m)
    throw new ApiError(
      404,
      `unknown model '${p.name}'; served: ${[...ctx.models.keys()].map((k) => `'${k}'`).join(', ')}`,
    );
  if (p.version !== undefined && p.version !== MODEL_VERSION)
    throw new ApiError(404, `model '${p.name}' has no version '${p.version}'; its version is '${MODEL_VERSION}'`);
  return m;
}

/** Register the v2 routes on `app` (an encapsulated context that has the API's guards and error handler). */
export function registerV2Routes(app: FastifyInstance, ctx: V2Context): void {
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_req, reply) => {
    const ready = ctx.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/v2', async () => ({ name: 'lenet-onnx', version: VERSION, extensions: EXTENSIONS }));

  for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get<{ Params: ModelParams }>(prefix, async (req) => modelFor(ctx, req.params).metadata);
    app.get<{ Params: ModelParams }>(`${prefix}/ready`, async (req, reply) => {
      const m = modelFor(ctx, req.params);
      const ready = ctx.ready();
      return reply.code(ready ? 200 : 503).send({ name: m.name, ready });
    });
    app.post<{ Params: ModelParams }>(`${prefix}/infer`, (req, reply) => infer(ctx, req, reply));
  }
}

async function infer(
  ctx: V2Context,
  req: FastifyRequest<{ Params: ModelParams }>,
  reply: FastifyReply,
): Promise<unknown> {
  const m = modelFor(ctx, req.params);
  const { json, binary } = splitBody(req);
  const call = parseInferRequest(json, m, binary);
  const signal = requestDeadline(reply, ctx.requestTimeoutMs);
  const probs = await untilAborted(m.infer(call.input, call.n, signal), signal);
  const r = inferReply(m, call, probs);
  if (r.kind === 'json') return r.body;
  return reply
    .header('content-type', 'application/octet-stream')
    .header(INFERENCE_HEADER, String(r.headerLength))
    .send(r.body);
}

/** A JSON body as parsed, or a binary-extension body cut at its Inference-Header-Content-Length. */
function splitBody(req: FastifyRequest): { json: unknown; binary?: Uint8Array } {
  const body = req.body;
  if (!Buffer.isBuffer(body)) {
    if (body === undefined || body === null) throw badField('request body', 'empty: expected a JSON inference request');
    if (typeof body !== 'object')
      throw new ApiError(
        415,
        `content type '${req.headers['content-type']}': send application/json (or application/octet-stream with ${INFERENCE_HEADER})`,
      );
    return { json: body };
  }
  const header = req.headers[INFERENCE_HEADER];
  if (header === undefined)
    throw new ApiError(
      415,
      `a binary body needs the ${INFERENCE_HEADER} header (binary tensor extension); otherwise send application/json`,
    );
  const len = Number(header);
  if (!Number.isInteger(len) || len < 0 || len > body.length)
    throw badField(INFERENCE_HEADER, `expected the length of the JSON part, 0 to ${body.length}, got '${header}'`);
  let json: unknown;
  try {
    json = JSON.parse(body.subarray(0, len).toString('utf8'));
  } catch (err) {
    throw badField('request body', `the JSON part is not valid JSON (${(err as Error).message})`);
  }
  return { json, binary: body.subarray(len) };
}
