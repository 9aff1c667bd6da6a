import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contractFromMetadata, type InputContract } from '../../../src/runtime/contract.js';
import { readOnnxInfo } from '../../../src/onnx/info.js';

let cached: { file: string; contract: InputContract } | undefined;

/**
 * The ONNX model the browser tests serve: LENET_TEST_ONNX if set, else the committed models/lenet5.onnx,
 * else (once per process) `lenet-onnx export` of the committed tfjs model models/lenet5 into a temp file.
 * @throws naming the files and how to produce them when there is no model at all.
 */
export function testModel(): { file: string; contract: InputContract } {
  if (!cached) {
    const file = process.env.LENET_TEST_ONNX ? path.resolve(process.env.LENET_TEST_ONNX) : defaultModel();
    cached = { file, contract: contractFromMetadata(readOnnxInfo(new Uint8Array(readFileSync(file))).metadata) };
  }
  return cached;
}

function defaultModel(): string {
  const onnx = path.resolve('models/lenet5.onnx');
  if (existsSync(onnx)) return onnx;
  if (!existsSync('models/lenet5/model.json')) {
    throw new Error(
      `${onnx}: no ONNX model to serve and no models/lenet5 to export one from; run \`lenet-onnx train\` and \`lenet-onnx export\``,
    );
  }
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'lenet-web-model-')), 'lenet5.onnx');
  process.stdout.write(`# ${onnx} is missing: exporting models/lenet5 to ${out} for the browser tests\n`);
  const cli = path.resolve('src/cli.ts');
  const args = ['node', 'lenet-onnx', 'export', 'models/lenet5', '--out', out, '--no-verify'];
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '-e', `import(${JSON.stringify(cli)}).then((m) => m.main(${JSON.stringify(args)}))`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0 || !existsSync(out))
    throw new Error(`exporting models/lenet5 failed (${r.status}): ${r.stderr || r.stdout}`);
  return out;
}
