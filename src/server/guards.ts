/**
 * Hooks that guard the API routes (never the widget's files): a bearer token, and a bound on requests in
 * flight so that a flood is answered quickly with 503 instead of queueing without end.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';

/** Paths left open even with a token, so that orchestrators' liveness and readiness probes need no secret. */
const PUBLIC_PATHS = new Set(['/v2/health/live', '/v2/health/ready']);

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Require `Authorization: Bearer <token>` on every route of `app` except the health probes (401 otherwise). */
export function requireToken(app: FastifyInstance, token: string): void {
  // comparing fixed-length digests keeps the time taken independent of where a wrong token differs
  const want = digest(token);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (PUBLIC_PATHS.has(req.url.split('?')[0])) return;
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1].trim()), want)) {
      throw new ApiError(401, m ? 'invalid bearer token' : 'missing bearer token: send Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer',
      });
    }
  });
}

/**
 * Answer 503 with Retry-After once `max` requests of `app` are in flight. A request counts until its
 * connection's response is closed, finished or aborted alike, so an abandoned request frees its place.
 */
export function boundInFlight(app: FastifyInstance, max: number, retryAfterSeconds = 1): { inFlight(): number } {
  let inFlight = 0;
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (inFlight >= max) {
      throw new ApiError(503, `server busy: ${max} requests in flight; retry shortly`, {
        'Retry-After': String(retryAfterSeconds),
      });
    }
    inFlight++;
    reply.raw.once('close', () => {
      inFlight--;
    });
  });
  return { inFlight: () => inFlight };
}

/**
 * Answer 503 with Retry-After when taking a request's body would make the bodies being held (received, parsed or
 * queued for a worker) exceed `budgetBytes` together. A body counts at its Content-Length, or at `bodyLimit` when
 * it is sent in chunks of unknown total, until its response is closed. Without it, as many bodies as requests in
 * flight could be held at the body limit each.
 */
export function boundBodyBytes(
  app: FastifyInstance,
  budgetBytes: number,
  bodyLimit: number,
  retryAfterSeconds = 1,
): void {
  let held = 0;
  // a callback hook: it runs on every API request and has nothing to wait for
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return done();
    const declared = Number(req.headers['content-length']);
    const bytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, bodyLimit) : bodyLimit;
    if (bytes === 0) return done();
    if (held + bytes > budgetBytes && held > 0) {
      return done(
        new ApiError(
          503,
          `server busy: ${Math.round(held / 2 ** 20)} MiB of request bodies held already; retry shortly`,
          { 'Retry-After': String(retryAfterSeconds) },
        ),
      );
    }
    held += bytes;
    reply.raw.once('close', () => {
      held -= bytes;
    });
    done();
  });
}
