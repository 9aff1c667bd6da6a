import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkLayerGraph } from '../../src/train/models/layer-graph.js';

const topology = () => JSON.parse(readFileSync('models/lenet5/model.json', 'utf8')).modelTopology;

test('layer sizes no digit model has are refused before tfjs allocates them, naming the layer and the field', () => {
  checkLayerGraph(topology(), 'model.json');
  const huge = topology();
  huge.config.layers.find((l: { name: string }) => l.name === 'f5').config.units = 1e9;
  assert.throws(
    () => checkLayerGraph(huge, 'model.json'),
    /model 'model.json': layer 'f5' has units 1000000000; expected whole numbers up to 4096/,
  );
  const wide = topology();
  wide.config.layers[0].config.batch_input_shape = [null, 100000, 100000, 1];
  assert.throws(
    () => checkLayerGraph(wide, 'model.json'),
    /layer 'image' has batch_input_shape \[null,100000,100000,1\]/,
  );
  const odd = topology();
  odd.config.layers.find((l: { name: string }) => l.name === 'c1').config.kernel_size = [5, -1];
  assert.throws(() => checkLayerGraph(odd, 'model.json'), /layer 'c1' has kernel_size \[5,-1\]/);
});
