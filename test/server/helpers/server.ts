import { existsSync } from 'node:fs';
import path from 'node:path';
import { SERVE_DEFAULTS, startServe, type ServeHandle, type ServeJobOptions } from '../../../src/jobs/serve.js';

/** The model every server test serves: LENET_TEST_ONNX, else the committed models/lenet5.onnx. */
export const MODEL = path.resolve(process.env.LENET_TEST_ONNX ?? 'models/lenet5.onnx');
/** A second model, to test serving several; the committed classic export. */
export const CLASSIC = path.resolve('models/classic.onnx');
export const HAVE_CLASSIC = existsSync(CLASSIC);

/** Start the API (no widget unless asked) on 127.0.0.1 and an ephemeral port. */
export function serveForTest(o: Partial<ServeJobOptions> = {}): Promise<ServeHandle> {
  return startServe({ ...SERVE_DEFAULTS, port: 0, models: [MODEL], web: false, ...o });
}

/** POST JSON and return status, headers and the parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
}

/** GET and parse the JSON body. */
export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const r = await fetch(url, { headers });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
}

/** An infer request body for `n` rows of deterministic pixel values (row k is k-dependent). */
export function inferBody(n: number, seed = 0, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { inputs: [{ name: 'image', datatype: 'FP32', shape: [n, 1, 28, 28], data: rows(n, seed) }], ...extra };
}

/** `n` rows of 784 values in [0, 1], different for each (row, seed). */
export function rows(n: number, seed = 0): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < 784; i++) {
      const x = i % 28,
        y = Math.floor(i / 28);
      // a stroke whose place and slant depend on the row, so each row gets a different answer
      const on =
        Math.abs(x - 14 - ((seed + r) % 9) + 4 - ((y - 14) * (((seed + r) % 5) - 2)) / 6) < 2 && y > 4 && y < 24;
      out.push(on ? 1 : 0);
    }
  }
  return out;
}
