import path from 'node:path';

/**
 * Content types the widget needs served exactly right: browsers refuse to stream-compile wasm without
 * `application/wasm`, and refuse module scripts (`.mjs`) without a JavaScript type.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Content type for a file name, by extension; unknown extensions are served as opaque bytes. */
export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Whether a pre-compressed `.gz` sibling is worth looking for (text and wasm compress well; images do not). */
export function isCompressible(file: string): boolean {
  return ['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.onnx', '.svg'].includes(path.extname(file).toLowerCase());
}
