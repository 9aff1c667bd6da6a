/**
 * The widget's files, served by @fastify/static: its MIME types (wasm included), precompressed `.br`/`.gz`
 * siblings chosen by Accept-Encoding, traversal refused, plus the isolation headers onnxruntime-web's threads
 * need, and a model file served at the URL path the page fetches it from.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * On every widget file. COOP + COEP make the page cross-origin isolated, which onnxruntime-web needs before it
 * may use threads (SharedArrayBuffer); CORP lets our own files load under COEP.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
} as const;

/** What {@link registerStaticSite} serves. */
export interface StaticSiteOptions {
  /** Folder served at `/`; nothing outside it is read, symlinks included. */
  root: string;
  /** Exact URL paths served from a file elsewhere, e.g. `{'/lenet5.onnx': 'models/classic.onnx'}`. */
  overrides?: Record<string, string>;
}

/** Register the widget's files on `app` (a context of its own: no API guards apply to them). */
export async function registerStaticSite(app: FastifyInstance, o: StaticSiteOptions): Promise<void> {
  const root = realpathSync(path.resolve(o.root));
  const setHeaders = (res: { setHeader(name: string, value: string): unknown }) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    // any file may have a precompressed sibling, so caches must key on the encoding asked for
    res.setHeader('Vary', 'Accept-Encoding');
  };
  await app.register(fastifyStatic, {
    root,
    preCompressed: true,
    cacheControl: false,
    dotfiles: 'ignore',
    setHeaders,
    // @fastify/static refuses `..` and encoded escapes; a symlink pointing outside is ours to refuse
    allowedPath: (pathName) => insideAfterLinks(root, pathName),
  });
  for (const [urlPath, file] of Object.entries(o.overrides ?? {})) {
    const abs = path.resolve(file);
    app.get(urlPath, (_req, reply: FastifyReply) => reply.sendFile(path.basename(abs), path.dirname(abs)));
  }
}

function insideAfterLinks(root: string, urlPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  let real: string;
  try {
    real = realpathSync(path.join(root, decoded));
  } catch {
    // a missing file is @fastify/static's to answer (404), and precompressed siblings are looked up by name
    return true;
  }
  const rel = path.relative(root, real);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}
