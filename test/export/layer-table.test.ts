import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { layerTableMarkdown, withLayerTable } from '../../src/export/layer-table.js';
import { supportedLayers } from '../../src/export/layers/index.js';

test('docs/export.md carries the layer table the converters generate (run node scripts/gen-layer-table.mjs)', () => {
  const doc = readFileSync('docs/export.md', 'utf8');
  assert.equal(withLayerTable(doc), doc);
});

test('the table has a row for every converted layer class', () => {
  const table = layerTableMarkdown();
  for (const name of supportedLayers()) assert.match(table, new RegExp(`^\\| \`${name}\` \\|`, 'm'));
});
