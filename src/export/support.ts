import type * as tf from '@tensorflow/tfjs';
import { findBatchNormFolds, graphOf, isModelLayer } from './fold-batch-norm.js';
import { KNOWN_TFJS_CLASSES } from './layers/known-classes.js';
import { CONVERTERS, LAYER_CATALOGUE } from './layers/index.js';

/** Whether one layer of a model converts, for `inspect`. */
export interface LayerSupport {
  /** The layer's name, with the names of the models it sits in (`trunk/conv1`). */
  name: string;
  className: string;
  layer: tf.layers.Layer;
  /** `yes`, `folded` (into the layer named in `note`), `nested` (a model walked in place) or `no`. */
  converts: 'yes' | 'folded' | 'nested' | 'no';
  note: string;
}

/**
 * Every layer of `model`, nested models' layers included (after their model), with whether the exporter
 * converts it. Settings a converter refuses (say an unsupported padding) show only when exporting.
 */
export function layerSupport(model: tf.LayersModel): LayerSupport[] {
  const folds = findBatchNormFolds(model);
  const foldedInto = new Map([...folds.values()].map((f) => [f.batchNorm, f.producer.name]));
  const rows: LayerSupport[] = [];
  const visit = (m: tf.LayersModel, scope: string) => {
    for (const layer of graphOf(m).layers) {
      const className = layer.getClassName();
      if (className === 'InputLayer') continue;
      const name = `${scope}${layer.name}`;
      if (isModelLayer(layer)) {
        rows.push({ name, className, layer, converts: 'nested', note: 'a model: its layers follow' });
        visit(layer, `${name}/`);
      } else if (foldedInto.has(layer)) {
        rows.push({ name, className, layer, converts: 'folded', note: `into ${foldedInto.get(layer)}` });
      } else if (CONVERTERS[className] && LAYER_CATALOGUE[className]?.onnx !== '(refused)') {
        rows.push({ name, className, layer, converts: 'yes', note: LAYER_CATALOGUE[className]?.onnx ?? '' });
      } else {
        const why =
          LAYER_CATALOGUE[className]?.notes ?? (KNOWN_TFJS_CLASSES.has(className) ? 'not supported' : 'custom layer');
        rows.push({ name, className, layer, converts: 'no', note: why });
      }
    }
  };
  visit(model, '');
  return rows;
}
