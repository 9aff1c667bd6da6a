// The main job behind `lenet-onnx all` (npm start) and `npm run models`: train, export, verify, evaluate,
// then predict and read the bundled examples.
import path from 'node:path';
import { runTraining, TRAIN_DEFAULTS } from './train.js';
import { EXPORT_DEFAULTS, exportModelDir } from './export.js';
import { verifyOnnxFile } from './verify.js';
import { EVALUATE_DEFAULTS, runEvaluate } from './evaluate.js';
import { PREDICT_DEFAULTS, runPredict } from './predict.js';
import { READ_DEFAULTS, runRead } from './read.js';

/** Defaults of the main job: where a run goes, what it trains, which pictures it reads at the end. */
export const PIPELINE_DEFAULTS = {
  /** Runs land in an ignored folder, one per start, so running the main job never touches the committed models. */
  runsDir: 'runs',
  arch: 'lenet5',
  /** The committed model, used by `--skip-train`. */
  committedModelDir: EXPORT_DEFAULTS.modelDir,
  examples: 'examples',
} as const;

/** Options of the main job. */
export interface PipelineOptions {
  /** Reuse the committed model instead of training it again. */
  skipTrain: boolean;
  /** Folder of this run; default `runs/<timestamp>`. `models` refreshes the committed models. */
  out?: string;
}

/** One step of the main job: a name for the log and the work. */
interface Step {
  name: string;
  run(): Promise<void>;
}

/** A folder name for a run started now, sortable and free of characters some file systems refuse. */
export function runFolderName(now = new Date()): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

/**
 * The main job on the bundled defaults: train, export (checked), verify, evaluate, predict the examples.
 * Everything it writes goes under one folder, which it prints first.
 * @returns the run's folder.
 */
export async function runPipeline(
  o: PipelineOptions,
  log: (line: string) => void = (l) => {
    process.stdout.write(l + '\n');
  },
): Promise<string> {
  const out = o.out ?? path.join(PIPELINE_DEFAULTS.runsDir, runFolderName());
  const arch = PIPELINE_DEFAULTS.arch;
  const modelDir = o.skipTrain ? PIPELINE_DEFAULTS.committedModelDir : path.join(out, arch);
  const onnx = path.join(out, `${arch}.onnx`);
  log(`this run writes into ${out}/`);
  const steps: Step[] = [];
  if (!o.skipTrain) {
    steps.push({
      name: 'train',
      async run() {
        const r = await runTraining({ arch, out: modelDir, backend: 'auto', ...TRAIN_DEFAULTS }, log);
        log(`model and reports: ${r.files.join(', ')}`);
      },
    });
  }
  steps.push({
    name: 'export to ONNX (checked on the MNIST test images before writing)',
    async run() {
      await exportModelDir({ ...EXPORT_DEFAULTS, modelDir, out: onnx, verify: true }, log);
    },
  });
  steps.push({
    name: 'verify the written ONNX file',
    async run() {
      await verifyOnnxFile(
        { onnx, against: modelDir, samples: EXPORT_DEFAULTS.verifySamples, atol: EXPORT_DEFAULTS.atol },
        log,
      );
    },
  });
  steps.push({
    name: 'evaluate',
    async run() {
      await runEvaluate({ ...EVALUATE_DEFAULTS, model: onnx, worst: 5 });
    },
  });
  steps.push({
    name: 'predict the example pictures (one digit each)',
    async run() {
      await runPredict([PIPELINE_DEFAULTS.examples], { ...PREDICT_DEFAULTS, model: onnx, progress: false }, log);
    },
  });
  steps.push({
    name: 'read the example pictures as lines (numbers of several digits)',
    async run() {
      await runRead([PIPELINE_DEFAULTS.examples], { ...READ_DEFAULTS, model: onnx, progress: false }, log);
    },
  });
  for (const [i, step] of steps.entries()) {
    log(`\n== step ${i + 1}/${steps.length}: ${step.name} ==`);
    await step.run();
  }
  log(`\nthis run's files are in ${out}/`);
  return out;
}
