import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { EpochRecord } from '../train.js';

/**
 * Render training curves as a standalone SVG: loss vs epoch and accuracy vs epoch, train and
 * validation, side by side, with labelled axes. Vega-Lite draws it; no DOM or canvas needed.
 */
export async function renderCurvesSvg(history: EpochRecord[], title: string): Promise<string> {
  const rows = history.flatMap((h) => [
    { epoch: h.epoch, split: 'train', metric: 'loss (cross-entropy)', value: h.trainLoss },
    { epoch: h.epoch, split: 'validation', metric: 'loss (cross-entropy)', value: h.valLoss },
    { epoch: h.epoch, split: 'train', metric: 'accuracy', value: h.trainAccuracy },
    { epoch: h.epoch, split: 'validation', metric: 'accuracy', value: h.valAccuracy },
  ]);
  const panel = (metric: string, yTitle: string, format: string): object => ({
    title: metric === 'accuracy' ? 'Accuracy' : 'Loss',
    width: 320,
    height: 220,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false }, axis: { format } },
      color: {
        field: 'split',
        type: 'nominal',
        title: null,
        scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#d62728'] },
      },
      tooltip: [{ field: 'split' }, { field: 'epoch' }, { field: 'value', format: '.4f' }],
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, anchor: 'start' },
    data: { values: rows },
    hconcat: [
      panel('loss (cross-entropy)', 'mean cross-entropy per sample', '.3f'),
      panel('accuracy', 'accuracy', '.1%'),
    ],
    config: { font: 'sans-serif', legend: { orient: 'bottom' } },
    background: 'white',
  } as unknown as vl.TopLevelSpec;
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
