/**
 * The inference server as a Fastify instance: the widget's files in one context, the API (Open Inference
 * Protocol and picture routes) in another with its own guards, CORS and error shape.
 */
import http from 'node:http';
import fastifyCors from '@fastify/cors';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import { boundBodyBytes, boundInFlight, requireToken } from './guards.js';
import type { ServedModel } from './models.js';
import { PICTURE_CONTENT_TYPES, registerV1Routes } from './routes-v1.js';
import { registerV2Routes } from './routes-v2.js';
import { RequestWork, WORK_DEFAULTS, type WorkOptions } from './request-work.js';
import { registerStaticSite, type StaticSiteOptions } from './static-site.js';

/** Everything {@link buildServer} needs; models are loaded by the caller, which also closes them. */
export interface ServerOptions {
  models: Map<string, ServedModel>;
  /** Model used by `/v1/*` when the request names none (a picture model); none when no model takes pictures. */
  defaultModel?: string;
  /** The widget's files; none served when absent. */
  site?: StaticSiteOptions;
  /** Largest request body (413 beyond). */
  bodyLimitBytes: number;
  /** Longest an API request may take from routing to answer (503 beyond). */
  requestTimeoutMs: number;
  /** API requests in flight at most (503 with Retry-After beyond). */
  maxInFlight: number;
  /** Request bodies held at once, in bytes (503 with Retry-After beyond); default DEFAULT_BODY_BUDGET_BYTES. */
  bodyBudgetBytes?: number;
  /** Longest a client may take to send its headers, and its whole request (slowloris). */
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Idle time after which a keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** Bearer token required on the API routes (not the health probes, nor the widget's files). */
  token?: string;
  /** Origins allowed to call the API from a browser (CORS); none when empty. */
  corsOrigins: string[];
  /** `top_k` of `/v1/predict` when the request gives none. */
  topK: number;
  /** Worker threads for large bodies and pictures, and the bounds on their work (defaults: WORK_DEFAULTS). */
  work?: Partial<WorkOptions>;
}

/** A built, unstarted server and a switch for readiness during shutdown. */
export interface BuiltServer {
  app: FastifyInstance;
  /** Make readiness probes fail (before closing, so traffic drains away first). */
  setReady(ready: boolean): void;
  /**
   * When closing must be over (epoch ms): work still in the worker threads once the requests are gone is
   * waited for until then, and stopped after. Without it, closing waits for that work a second at most.
   */
  closeBy(deadline: number): void;
}

/**
 * Bodies held at once unless told otherwise: four at the default body limit, thousands of single-row requests.
 * Every body held is copied whole once received, so this also bounds how much copying can fall due at once.
 */
export const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;

/** Build the server; call `app.listen` to start it. */
export async function buildServer(o: ServerOptions): Promise<BuiltServer> {
  let ready = true;
  let closeDeadline: number | undefined;
  const work = new RequestWork({ ...WORK_DEFAULTS, ...o.work });
  const app = Fastify({
    bodyLimit: o.bodyLimitBytes,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // node's own request timers, checked often enough that a slow sender is cut close to its limit
    serverFactory: (handler) =>
      http.createServer(
        {
          headersTimeout: o.headersTimeoutMs,
          requestTimeout: o.bodyTimeoutMs,
          keepAliveTimeout: o.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(o.headersTimeoutMs / 4))),
        },
        handler,
      ),
  });

  app.addHook('onClose', async () => {
    await work.close(closeDeadline === undefined ? 1000 : Math.max(0, closeDeadline - Date.now()));
  });

  if (o.site) {
    const site = o.site;
    await app.register(async (web) => registerStaticSite(web, site));
  }

  await app.register(async (api) => {
    api.setErrorHandler(sendApiError);
    if (o.corsOrigins.length > 0) {
      await api.register(fastifyCors, {
        origin: o.corsOrigins,
        methods: ['GET', 'POST'],
        allowedHeaders: ['Authorization', 'Content-Type', 'Inference-Header-Content-Length'],
        exposedHeaders: ['Inference-Header-Content-Length', 'Retry-After'],
      });
    }
    if (o.token) requireToken(api, o.token);
    boundInFlight(api, o.maxInFlight);
    boundBodyBytes(api, o.bodyBudgetBytes ?? DEFAULT_BODY_BUDGET_BYTES, o.bodyLimitBytes);
    // JSON arrives as bytes and is parsed by the route, in a worker thread when it is large: the framework's
    // parser would hold the event loop for as long as a body of the size allowed takes to parse
    api.removeContentTypeParser('application/json');
    api.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    api.addContentTypeParser(
      [...PICTURE_CONTENT_TYPES, 'application/octet-stream'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    registerV2Routes(api, { models: o.models, ready: () => ready, requestTimeoutMs: o.requestTimeoutMs, work });
    registerV1Routes(api, {
      models: o.models,
      defaultModel: o.defaultModel,
      requestTimeoutMs: o.requestTimeoutMs,
      topK: o.topK,
      work,
    });
  });

  app.setNotFoundHandler((req, reply) => {
    if (/^\/v[12](\/|$)/.test(req.url))
      return reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return reply
        .code(405)
        .header('Allow', 'GET, HEAD')
        .type('text/plain; charset=utf-8')
        .send('method not allowed\n');
    return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
  });
  // errors outside the API context (a bad URL, a static file that fails): plain text, no internals
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'internal error\n' : `${err.message}\n`);
  });

  return {
    app,
    setReady: (r) => {
      ready = r;
    },
    closeBy: (deadline) => {
      closeDeadline = deadline;
    },
  };
}

/** Messages that name the limit or fix, for the framework's own refusals. */
const FRAMEWORK_MESSAGES: Record<string, (e: FastifyError, req: FastifyRequest) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'request body too large for this server (--max-body-mb)',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_e, req) =>
    `content type '${req.headers['content-type'] ?? '(none)'}' is not accepted here: send application/json to /v2/.../infer, a picture (${PICTURE_CONTENT_TYPES.join(', ')}) to /v1/predict`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'request body: empty, expected JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'Content-Length does not match the body',
};

function sendApiError(err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  let message = err.message;
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  } else if ('code' in err && FRAMEWORK_MESSAGES[err.code]) {
    message = FRAMEWORK_MESSAGES[err.code](err, req);
  } else if (err instanceof SyntaxError || ('code' in err && err.code === 'FST_ERR_CTP_INVALID_JSON_BODY')) {
    status = 400;
    message = `request body: not valid JSON (${err.message})`;
  } else if (status >= 500) {
    req.log.error(err);
    message = 'internal error';
  }
  if (status === 503 && !reply.hasHeader('Retry-After')) reply.header('Retry-After', '1');
  return reply.code(status).send({ error: message });
}
