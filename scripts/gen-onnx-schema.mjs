// Generates src/onnx/schema.ts, the protobufjs JSON descriptor of proto/onnx.proto, so the ONNX
// reader and writer decode with the schema of the .proto without reading files at run time (the browser
// widget bundles the reader). test/export/schema-sync.test.ts fails while the two disagree.
//
//   node scripts/gen-onnx-schema.mjs           write the module
//   node scripts/gen-onnx-schema.mjs --check   exit 1 when the committed module is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const PROTO_PATH = `${root}proto/onnx.proto`;
export const SCHEMA_MODULE_PATH = `${root}src/onnx/schema.ts`;

/** The text of the generated module for the .proto at `protoPath`. */
export function renderSchemaModule(protoPath = PROTO_PATH) {
  const json = protobuf.loadSync(protoPath).toJSON();
  return [
    '// Generated from proto/onnx.proto by scripts/gen-onnx-schema.mjs; do not edit by hand.',
    '// Shared code: no Node and no DOM imports (the browser widget bundles this file).',
    '',
    '/** protobufjs JSON descriptor of proto/onnx.proto (load with `Root.fromJSON`). */',
    `export const ONNX_SCHEMA = ${JSON.stringify(json, null, 2)};`,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderSchemaModule();
  if (process.argv.includes('--check')) {
    const current = readFileSync(SCHEMA_MODULE_PATH, 'utf8');
    if (current !== text) {
      console.error(`${SCHEMA_MODULE_PATH} is out of date with ${PROTO_PATH}; run node scripts/gen-onnx-schema.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_MODULE_PATH, text);
    console.log(`wrote ${SCHEMA_MODULE_PATH}`);
  }
}
