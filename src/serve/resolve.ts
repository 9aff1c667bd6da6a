import path from 'node:path';

/** Why a request path could not be mapped to a file inside the served folder. */
export type ResolveFailure = 'bad-encoding' | 'outside';

/**
 * Map a URL path onto a file path strictly inside `root`, or say why not. Percent-decoding happens
 * before the containment check so `%2e%2e%2f` cannot climb out; NUL bytes and backslashes are refused
 * because they mean something else to the file system than to the URL.
 */
export function resolveInside(root: string, urlPath: string): { ok: true; file: string } | { ok: false; why: ResolveFailure } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, why: 'bad-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, why: 'outside' };
  const absRoot = path.resolve(root);
  const file = path.resolve(absRoot, '.' + path.posix.normalize('/' + decoded));
  const rel = path.relative(absRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { ok: false, why: 'outside' };
  return { ok: true, file };
}
