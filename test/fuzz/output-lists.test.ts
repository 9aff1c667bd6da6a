// Seeded fuzzing of the `outputs` list of inference requests, over HTTP: lists empty, long (up to 50,000 entries)
// or repeating, with unknown names, names of other types, entries that are no objects and parameters of every
// kind, in JSON and binary-extension bodies, at batches of 1 to 1024. Each must get 200 with each output once
// when the list is valid, or a 400 naming `outputs`; never a 500, an answer larger than the bound, or a wait.
// FUZZ_SEED and FUZZ_OUTPUTS_CASES change the seed and the number of cases.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { seededRandom } from '../../src/train/data/rng.js';
import { MAX_RESPONSE_VALUES } from '../../src/server/infer-request.js';
import type { ServeHandle } from '../../src/jobs/serve.js';
import { serveForTest } from '../server/helpers/server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240613);
const CASES = Number(process.env.FUZZ_OUTPUTS_CASES ?? 120);
/** Longest one request may take before the case counts as a stall. */
const CASE_MS = 5000;
const OUTPUT = 'probabilities';
const LABELS = 10;

let srv: ServeHandle | undefined;
after(async () => {
  await srv?.close();
});

type Random = () => number;
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** One entry of an output list, and whether it is a valid one. */
function entry(r: Random): { value: unknown; valid: boolean } {
  switch (Math.floor(r() * 9)) {
    case 0:
      return { value: { name: 'logits' }, valid: false };
    case 1:
      return { value: { name: pick(r, [5, null, [], {}, true]) }, valid: false };
    case 2:
      return { value: pick(r, ['probabilities', 1, null, [OUTPUT]]), valid: false };
    case 3:
      return { value: { name: OUTPUT, parameters: pick(r, ['x', 1, [], null]) }, valid: false };
    case 4:
      return { value: { name: OUTPUT, parameters: { binary_data: pick(r, [true, false]) } }, valid: true };
    case 5:
      return { value: { name: OUTPUT.toUpperCase() }, valid: false };
    default:
      return { value: { name: OUTPUT }, valid: true };
  }
}

/** A whole `outputs` field: absent, not a list, or a list; with the answer a correct server gives. */
function outputsField(r: Random): { value: unknown; valid: boolean; count: number } {
  const kind = r();
  if (kind < 0.08) return { value: undefined, valid: true, count: 1 };
  if (kind < 0.14) return { value: pick(r, [OUTPUT, {}, 7, null]), valid: false, count: 0 };
  const length = pick(r, [0, 1, 1, 1, 2, 3, 10, 1000, 50_000]);
  const repeated = r() < 0.5;
  const first = entry(r);
  const list = length > 0 ? [first] : [];
  for (let i = 1; i < length; i++) list.push(repeated ? first : entry(r));
  // an empty list asks for every output, as an absent one does
  const valid = list.every((e) => e.valid) && list.length <= 1;
  return { value: list.map((e) => e.value), valid, count: list.length };
}

test(`output lists (seed ${SEED}, ${CASES} cases): 200 with each output once, or a 400 naming outputs`, async () => {
  srv = await serveForTest();
  const url = srv.url + 'v2/models/lenet5/infer';
  const r = seededRandom(SEED);
  let ok = 0,
    refused = 0;
  for (let c = 0; c < CASES; c++) {
    const n = pick(r, [1, 1, 2, 64, 1024]);
    const outputs = outputsField(r);
    const binary = r() < 0.5;
    const tensor = {
      name: 'image',
      datatype: 'FP32',
      shape: [n, 1, 28, 28],
      ...(binary ? { parameters: { binary_data_size: n * 784 * 4 } } : { data: new Array<number>(n * 784).fill(0.5) }),
    };
    const head = Buffer.from(JSON.stringify({ inputs: [tensor], outputs: outputs.value }));
    const init: RequestInit = binary
      ? {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': `${head.length}` },
          body: Buffer.concat([head, Buffer.from(new Float32Array(n * 784).fill(0.5).buffer)]),
        }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: head };
    const what = `case ${c}: n=${n}, ${binary ? 'binary' : 'json'}, outputs ${JSON.stringify(outputs.value)?.slice(0, 120)} (${outputs.count} entries)`;
    const t = performance.now();
    const res = await fetch(url, init);
    const bytes = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - t;
    assert.ok(ms < CASE_MS, `${what}: took ${Math.round(ms)} ms`);
    // the answer's size is bounded whatever was asked: JSON numbers take at most 24 characters each
    assert.ok(bytes.length < MAX_RESPONSE_VALUES * 24 + 4096, `${what}: ${bytes.length} bytes answered`);
    if (outputs.valid) {
      assert.equal(res.status, 200, `${what}: ${bytes.toString().slice(0, 200)}`);
      const len = Number(res.headers.get('inference-header-content-length') ?? bytes.length);
      const body = JSON.parse(bytes.subarray(0, len).toString()) as {
        outputs: Array<{ name: string; shape: number[] }>;
      };
      assert.deepEqual(
        body.outputs.map((o) => [o.name, ...o.shape]),
        [[OUTPUT, n, LABELS]],
        what,
      );
      ok++;
    } else {
      assert.equal(res.status, 400, `${what}: ${bytes.toString().slice(0, 200)}`);
      assert.match(JSON.parse(bytes.toString()).error as string, /^outputs(\[\d+\](\.name|\.parameters)?)?: /, what);
      refused++;
    }
  }
  console.log(`output lists, seed ${SEED}: ${ok} answered, ${refused} refused`);
  assert.ok(ok > 0 && refused > 0, 'the cases cover both answers');
});
