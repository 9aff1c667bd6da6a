import { TRAIN_DEFAULTS } from './commands/train.js';
import { runTraining } from './train/run-training.js';
import { EXPORT_DEFAULTS, exportModelDir } from './export/export-model.js';
import { verifyOnnxFile } from './export/verify-file.js';
import { runEvaluate } from './runtime/node/evaluate-job.js';
import { runPredict } from './runtime/node/predict-job.js';
import { DEFAULT_ONNX_MODEL } from './runtime/node/session.js';

/** Options of the main job. */
export interface PipelineOptions {
  /** Reuse the committed model under models/ instead of training it again. */
  skipTrain: boolean;
}

/** One step of the main job: a name for the log and the work. */
interface Step {
  name: string;
  run(): Promise<void>;
}

/**
 * The main job on the bundled defaults, as a list of steps so later stages (export, verify, evaluate,
 * predict) slot in. Each step prints what it wrote.
 */
export async function runPipeline(o: PipelineOptions): Promise<void> {
  const log = (l: string) => process.stdout.write(l + '\n');
  const steps: Step[] = [];
  if (!o.skipTrain) {
    steps.push({
      name: 'train',
      async run() {
        const r = await runTraining({ arch: 'lenet5', out: 'models/lenet5', backend: 'auto', ...TRAIN_DEFAULTS }, log);
        log(`model and reports: ${r.files.join(', ')}`);
      },
    });
  }
  steps.push({
    name: 'export to ONNX (checked on the MNIST test images before writing)',
    async run() {
      await exportModelDir({ ...EXPORT_DEFAULTS, verify: true }, log);
    },
  });
  steps.push({
    name: 'verify the written ONNX file',
    async run() {
      await verifyOnnxFile({ onnx: EXPORT_DEFAULTS.out, against: EXPORT_DEFAULTS.modelDir, samples: EXPORT_DEFAULTS.verifySamples, atol: EXPORT_DEFAULTS.atol }, log);
    },
  });
  steps.push({
    name: 'evaluate',
    async run() {
      await runEvaluate({ model: DEFAULT_ONNX_MODEL, batchSize: 500, worst: 5 });
    },
  });
  steps.push({
    name: 'predict samples',
    async run() {
      await runPredict(['examples'], { model: DEFAULT_ONNX_MODEL, batchSize: 64, topK: 3, format: 'table', workers: 2, progress: false }, log);
    },
  });
  for (const [i, step] of steps.entries()) {
    log(`\n== step ${i + 1}/${steps.length}: ${step.name} ==`);
    await step.run();
  }
}
