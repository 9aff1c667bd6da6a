// The inference request's checks that no served model can reach over HTTP: the bound on the answer's size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RESPONSE_VALUES, parseInferRequest, type InferSpec } from '../../src/server/infer-request.js';

const spec = (outputSize: number): InferSpec => ({
  inputs: [{ name: 'image', datatype: 'FP32', shape: [-1, 1, 28, 28] }],
  outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, outputSize] }],
});
const request = (n: number) => ({
  inputs: [{ name: 'image', datatype: 'FP32', shape: [n, 1, 28, 28], data: [] }],
});

test('an answer over MAX_RESPONSE_VALUES is refused before any input value is read', () => {
  const labels = 2048;
  const n = Math.floor(MAX_RESPONSE_VALUES / labels) + 1;
  assert.throws(
    () => parseInferRequest(request(n), spec(labels)),
    (e: Error & { statusCode?: number }) =>
      e.statusCode === 400 &&
      e.message ===
        `inputs[0].shape: ${n} rows of 'probabilities' would answer ${n * labels} values, over the ${MAX_RESPONSE_VALUES} one response may hold; send fewer rows per request`,
  );
  // one row fewer fits, and gets as far as the (empty) data
  assert.throws(() => parseInferRequest(request(n - 1), spec(labels)), /^ApiError: inputs\[0\]\.data: 0 values/);
});
