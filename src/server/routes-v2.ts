/**
 * The Open Inference Protocol (KServe v2) over REST: health, server and model metadata, model readiness and
 * inference, for any ONNX model, each also under `/versions/{version}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VERSION } from '../version.js';
import { ApiError, badField } from './api-error.js';
import { inferCallFromBody } from './infer-body.js';
import { INFERENCE_HEADER, inferReply } from './infer-response.js';
import { requestDeadline, untilAborted } from './deadline.js';
import { ModelRunError, type ServedModel } from './models.js';
import type { RequestWork } from './request-work.js';

/** Protocol extensions this server implements, as `GET /v2` lists them. */
export const EXTENSIONS = ['binary_tensor_data'];

/** What the v2 routes need from the server. */
export interface V2Context {
  models: Map<string, ServedModel>;
  /** False once shutdown has begun, so readiness probes steer traffic away first. */
  ready(): boolean;
  /** Longest an inference may take, queueing included (503 beyond). */
  requestTimeoutMs: number;
  /** Where large bodies are parsed, off the event loop. */
  work: RequestWork;
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
  if (p.version === undefined) return m;
  const v = m.versions.get(p.version);
  if (!v) {
    const have = [...m.versions.keys()];
    throw new ApiError(
      404,
      `model '${p.name}' has no version '${p.version}'; ${have.length === 1 ? 'its version is' : 'its versions are'} ${have.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  return v;
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
  const body = req.body;
  // every body of this context arrives as bytes: JSON is parsed here, not by the framework (see app.ts)
  if (!Buffer.isBuffer(body) || body.length === 0) throw badField('request body', 'empty, expected JSON');
  const header = req.headers[INFERENCE_HEADER];
  if (Array.isArray(header)) throw badField(INFERENCE_HEADER, `given ${header.length} times; give it once`);
  const signal = requestDeadline(reply, ctx.requestTimeoutMs);
  const contentType = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  const headers = { contentType, headerLength: header };
  // a small body is checked at once, without the round trip through a promise a worker's answer needs
  const call = ctx.work.parsesInline(body)
    ? inferCallFromBody(body, headers, m.spec)
    : await untilAborted(ctx.work.inferCall(body, headers, m.spec, signal), signal);
  const outs = await untilAborted(
    m.run(call.inputs, call.n, signal).catch((err: unknown) => {
      throw err instanceof ModelRunError ? new ApiError(422, err.message) : err;
    }),
    signal,
  );
  const r = inferReply(m, call, outs);
  if (r.kind === 'json') return r.body;
  return reply
    .header('content-type', 'application/octet-stream')
    .header(INFERENCE_HEADER, String(r.headerLength))
    .send(r.body);
}
