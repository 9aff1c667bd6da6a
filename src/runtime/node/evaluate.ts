/**
 * Evaluate an ONNX digit model on a labelled IDX set (MNIST test by default) through onnxruntime-node: the
 * pictures go in exactly as training saw them (pixels / 255), so the figure is comparable with the test
 * accuracy recorded at training time.
 */
import { UserError } from '../../errors.js';
import type { IdxDataset } from '../../data/idx.js';
import { inkScale } from '../contract.js';
import type { DigitModel } from './session.js';

/** Precision and recall of one class. */
export interface ClassFigures {
  label: string;
  precision: number;
  recall: number;
  /** Test pictures of this class. */
  support: number;
}

/** A confident wrong answer. */
export interface Mistake {
  index: number;
  label: string;
  predicted: string;
  confidence: number;
}

/** Everything `evaluate` reports. */
export interface EvaluationReport {
  count: number;
  accuracy: number;
  /** Mean cross-entropy, -log p(true label), with p clamped at 1e-7 so a hard zero stays finite. */
  meanLoss: number;
  perClass: ClassFigures[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Wrong answers, most confident first. */
  worst: Mistake[];
  seconds: number;
  imagesPerSecond: number;
}

/**
 * Run `model` over every picture of `data` in batches and score it.
 * @throws UserError when the data's picture size or label range does not fit the model's contract.
 */
export async function evaluateModel(
  model: DigitModel,
  data: IdxDataset,
  o: { batchSize: number; worst: number },
): Promise<EvaluationReport> {
  const c = model.contract;
  const k = c.labels.length;
  if (data.count === 0) {
    throw new UserError(
      `${data.files?.images ?? 'the data'}: holds 0 pictures; nothing to evaluate, give a non-empty test set`,
    );
  }
  if (data.rows !== c.height || data.cols !== c.width) {
    throw new UserError(
      `data has ${data.rows}x${data.cols} pictures but model '${model.source}' takes ${c.height}x${c.width}`,
    );
  }
  // The data's labels are digits; the model's outputs are named by its contract, which may hold more
  // labels than digits (operators) in any order: a data label is looked up by name, never used as an index.
  const outputOf = new Map(c.labels.map((label, i) => [label, i] as const));
  const size = c.height * c.width;
  const { background, span } = inkScale(c);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const mistakes: Mistake[] = [];
  let correct = 0,
    loss = 0;
  const t0 = performance.now();
  const input = new Float32Array(o.batchSize * size);
  for (let start = 0; start < data.count; start += o.batchSize) {
    const n = Math.min(o.batchSize, data.count - start);
    // stored bytes: 0 = background, 255 = ink; map to the contract's range and polarity
    for (let i = 0; i < n * size; i++) {
      const v = data.images[start * size + i] / 255;
      input[i] = background + v * span;
    }
    const probs = await model.run(input, n);
    for (let j = 0; j < n * k; j++) {
      if (!Number.isFinite(probs[j])) {
        throw new UserError(
          `model '${model.source}' produced ${Number.isNaN(probs[j]) ? 'NaN' : 'infinite'} probabilities for picture ${start + Math.floor(j / k)}; the model is broken: re-train or re-export it`,
        );
      }
    }
    for (let j = 0; j < n; j++) {
      const truth = outputOf.get(String(data.labels[start + j]));
      if (truth === undefined)
        throw new UserError(
          `data label ${data.labels[start + j]} at index ${start + j} is not among the model's labels (${c.labels.join(' ')})`,
        );
      let best = 0;
      for (let q = 1; q < k; q++) if (probs[j * k + q] > probs[j * k + best]) best = q;
      confusion[truth][best]++;
      loss -= Math.log(Math.max(probs[j * k + truth], 1e-7));
      if (best === truth) correct++;
      else
        mistakes.push({
          index: start + j,
          label: c.labels[truth],
          predicted: c.labels[best],
          confidence: probs[j * k + best],
        });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const perClass = c.labels.map((label, i) => {
    const tp = confusion[i][i];
    const support = confusion[i].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[i], 0);
    return { label, precision: predicted ? tp / predicted : 0, recall: support ? tp / support : 0, support };
  });
  mistakes.sort((a, b) => b.confidence - a.confidence);
  return {
    count: data.count,
    accuracy: correct / data.count,
    meanLoss: loss / data.count,
    perClass,
    confusion,
    worst: mistakes.slice(0, o.worst),
    seconds,
    imagesPerSecond: data.count / seconds,
  };
}

/** The report as text for a terminal: headline, per-class table, confusion matrix, worst mistakes. */
export function formatReport(r: EvaluationReport, labels: string[]): string {
  const lines = [
    `accuracy ${(r.accuracy * 100).toFixed(2)}% on ${r.count} pictures, mean loss ${r.meanLoss.toFixed(4)} (${Math.round(r.imagesPerSecond)} img/s)`,
    '',
  ];
  lines.push('class  precision  recall   support');
  for (const p of r.perClass)
    lines.push(
      `${p.label.padEnd(7)}${(p.precision * 100).toFixed(2).padStart(8)}%${(p.recall * 100).toFixed(2).padStart(8)}%${String(p.support).padStart(10)}`,
    );
  lines.push('', 'confusion matrix (rows: true, columns: predicted)');
  const w = Math.max(4, ...r.confusion.flat().map((v) => String(v).length + 1));
  lines.push('     ' + labels.map((l) => l.padStart(w)).join(''));
  r.confusion.forEach((row, i) => lines.push(labels[i].padEnd(5) + row.map((v) => String(v).padStart(w)).join('')));
  if (r.worst.length) {
    lines.push('', 'most confident mistakes');
    lines.push('index   true  predicted  confidence');
    for (const m of r.worst)
      lines.push(
        `${String(m.index).padEnd(8)}${m.label.padEnd(6)}${m.predicted.padEnd(11)}${(m.confidence * 100).toFixed(2)}%`,
      );
  }
  return lines.join('\n') + '\n';
}
