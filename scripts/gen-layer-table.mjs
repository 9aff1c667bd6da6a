// Regenerates the table of supported layers in docs/export.md from the converters' catalogue
// (src/export/layers/index.ts). test/export/layer-table.test.ts fails when the two disagree.
import { spawnSync } from 'node:child_process';

const code = `
import { readFileSync, writeFileSync } from 'node:fs';
import { withLayerTable } from './src/export/layer-table.ts';
const file = 'docs/export.md';
writeFileSync(file, withLayerTable(readFileSync(file, 'utf8')));
console.log('updated the layer table in ' + file);
`;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'inherit' });
process.exit(r.status ?? 1);
