import type { Command } from 'commander';
import { PIPELINE_DEFAULTS, runPipeline } from '../jobs/pipeline.js';

/** `lenet-onnx all`: the main job on the bundled defaults (what `npm start` runs). */
export function registerPipeline(program: Command): void {
  program
    .command('all')
    .description(
      'run the whole pipeline on the bundled defaults: train, export, verify, evaluate, predict the examples (npm start)',
    )
    .option(
      '--out <dir>',
      `folder for this run (default: ${PIPELINE_DEFAULTS.runsDir}/<timestamp>; 'models' refreshes the committed models)`,
    )
    .option(
      '--skip-train',
      `reuse the committed model (${PIPELINE_DEFAULTS.committedModelDir}) instead of training it again`,
    )
    .action(async (opts: { skipTrain?: boolean; out?: string }) => {
      await runPipeline({ skipTrain: Boolean(opts.skipTrain), out: opts.out });
    });
}
