/**
 * An inference request's raw body -> the checked call: JSON, or (binary tensor extension) a JSON header cut at
 * its Inference-Header-Content-Length followed by tensor bytes. A pure function of bytes, run on the main thread
 * for small bodies and in a worker thread for large ones, so a large body never stalls the server.
 */
import { ApiError, badField } from './api-error.js';
import { parseInferRequest, type InferCall, type InferSpec } from './infer-request.js';
import { INFERENCE_HEADER } from './infer-response.js';

/** What of a request the body's meaning depends on, besides its bytes. */
export interface InferBodyHeaders {
  /** The media type, lower case, without parameters. */
  contentType: string;
  /** The Inference-Header-Content-Length header, when sent. */
  headerLength?: string;
}

/**
 * Check `body` as an inference request for `spec`.
 * @throws ApiError: 415 for a media type or a binary body without its header, 400 naming the field otherwise.
 */
export function inferCallFromBody(body: Uint8Array, h: InferBodyHeaders, spec: InferSpec): InferCall {
  if (h.contentType === 'application/json') return parseInferRequest(parseJson(body, ''), spec, undefined, body.length);
  if (h.headerLength === undefined)
    throw new ApiError(
      415,
      `a binary body needs the ${INFERENCE_HEADER} header (binary tensor extension); otherwise send application/json`,
    );
  const len = Number(h.headerLength);
  if (!Number.isInteger(len) || len < 0 || len > body.length)
    throw badField(
      INFERENCE_HEADER,
      `expected the length of the JSON part, 0 to ${body.length}, got '${h.headerLength}'`,
    );
  return parseInferRequest(
    parseJson(body.subarray(0, len), 'the JSON part is '),
    spec,
    body.subarray(len),
    body.length,
  );
}

/** @param part names the part in messages: '' for the whole body, 'the JSON part is '. */
function parseJson(bytes: Uint8Array, part: string): unknown {
  if (bytes.length === 0) throw badField('request body', `${part}empty, expected JSON`);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw badField('request body', `${part}not valid JSON (${(err as Error).message})`);
  }
}
