/**
 * The widget's files, served by @fastify/static: its MIME types (wasm included), precompressed `.br`/`.gz`
 * siblings chosen by Accept-Encoding, traversal refused, plus the isolation headers onnxruntime-web's threads
 * need, and a model file served at the URL path the page fetches it from.
 */
import { realpathSync, statSync } from 'node:fs';
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
    // @fastify/static refuses `..` and encoded escapes; a symlink pointing outside is ours to refuse. It asks
    // here with the root it serves from: the site's, or an override's folder (sendFile)
    allowedPath: (pathName, fromRoot) => staysInside(typeof fromRoot === 'string' ? fromRoot : root, pathName),
  });
  for (const [urlPath, file] of Object.entries(o.overrides ?? {})) {
    // the file named is the operator's choice, wherever its links lead; its folder is what the rule guards
    const abs = realpathSync(path.resolve(file));
    app.get(urlPath, (_req, reply: FastifyReply) => reply.sendFile(path.basename(abs), path.dirname(abs)));
  }
}

/** Siblings @fastify/static may send instead of a file (preCompressed), and the index file of a folder. */
const PRECOMPRESSED = ['', '.br', '.gz'];
const INDEX = 'index.html';

/**
 * True when every file a request for `urlPath` may open stays inside `root` once links are followed: the file,
 * its precompressed siblings, and for a folder its index file and that file's siblings. A link leading out
 * anywhere among them refuses the request (404), whichever encoding the client asked for.
 */
function staysInside(root: string, urlPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  const target = path.join(root, decoded);
  const files = PRECOMPRESSED.map((ext) => target + ext);
  if (decoded.endsWith('/') || isFolder(target))
    files.push(...PRECOMPRESSED.map((ext) => path.join(target, INDEX) + ext));
  return files.every((f) => linksStayIn(root, f));
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** False when `file` exists and resolves outside `root`, or cannot be resolved for another reason than absence. */
function linksStayIn(root: string, file: string): boolean {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (err) {
    // absent (a dangling link included): nothing to open, @fastify/static answers 404 itself
    return (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR';
  }
  const rel = path.relative(root, real);
  return rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}
