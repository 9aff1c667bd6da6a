import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { contentType, isCompressible } from './mime.js';
import { resolveInside } from './resolve.js';

/** What {@link createStaticServer} serves. */
export interface StaticServerOptions {
  /** Folder served at `/`; nothing outside it is ever read (symlinks included). */
  root: string;
  /** Exact URL paths served from a file elsewhere, e.g. `{'/lenet5.onnx': '/models/other.onnx'}`. */
  overrides?: Record<string, string>;
}

/**
 * Headers on every response. COOP + COEP make the page cross-origin isolated, which onnxruntime-web
 * needs before it may use threads (SharedArrayBuffer); CORP lets our own files load under COEP.
 */
const COMMON_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
} as const;

/**
 * A small GET/HEAD-only static file server for the widget's demo: right MIME types, isolation
 * headers, pre-compressed `.gz` siblings when the client accepts gzip, 404 for anything missing or
 * outside the root. Returns an unstarted server; call `listen` on it.
 */
export function createStaticServer(o: StaticServerOptions): http.Server {
  const root = path.resolve(o.root);
  const overrides = new Map(Object.entries(o.overrides ?? {}).map(([k, v]) => [k, path.resolve(v)]));
  return http.createServer((req, res) => {
    handle(root, overrides, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `internal error: ${(err as Error).message}\n`);
      else res.destroy();
    });
  });
}

async function handle(root: string, overrides: Map<string, string>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return send(res, 400, 'bad request\n');
  }
  let file = overrides.get(pathname);
  // An override is typed by the URL the page asked for, not by whatever name the file has on disk.
  const typedAs = file !== undefined ? pathname : undefined;
  if (file === undefined) {
    const r = resolveInside(root, pathname);
    if (!r.ok) return r.why === 'bad-encoding' ? send(res, 400, 'bad request\n') : send(res, 404, 'not found\n');
    file = await existingFile(root, r.file);
    if (file === undefined) return send(res, 404, 'not found\n');
  }
  const gz = typedAs === undefined && acceptsGzip(req) && isCompressible(file) ? await statFile(file + '.gz') : undefined;
  const served = gz ? file + '.gz' : file;
  const stat = gz ?? (await statFile(file));
  if (!stat) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': contentType(typedAs ?? file),
    'Content-Length': String(stat.size),
    ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
    ...(isCompressible(file) ? { Vary: 'Accept-Encoding' } : {}),
  });
  if (req.method === 'HEAD') return void res.end();
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(served);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

/** The file to serve for a path inside root (a directory means its index.html), re-checked after symlinks. */
async function existingFile(root: string, file: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch {
    return undefined;
  }
  const realRoot = await fs.realpath(root);
  const rel = path.relative(realRoot, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const st = await fs.stat(real);
  if (st.isDirectory()) return existingFile(root, path.join(file, 'index.html'));
  return st.isFile() ? real : undefined;
}

async function statFile(file: string): Promise<{ size: number } | undefined> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}

function acceptsGzip(req: http.IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return coding === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}
