import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contractFromMetadata, type InputContract } from '../../../src/runtime/contract.js';
import { readOnnxInfo } from '../../../src/runtime/onnx-info.js';

/**
 * The ONNX model the browser tests serve: the committed default, or LENET_TEST_ONNX to test another export.
 * @throws naming the file and how to produce it when it is missing.
 */
export function testModel(): { file: string; contract: InputContract } {
  const file = path.resolve(process.env.LENET_TEST_ONNX ?? 'models/lenet5.onnx');
  if (!existsSync(file)) {
    throw new Error(`${file}: no ONNX model to serve; run \`lenet-onnx export\` (or set LENET_TEST_ONNX to an exported model)`);
  }
  return { file, contract: contractFromMetadata(readOnnxInfo(new Uint8Array(readFileSync(file))).metadata) };
}
