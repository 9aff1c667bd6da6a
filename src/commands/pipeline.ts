import type { Command } from 'commander';
import { runPipeline } from '../pipeline.js';

/** `lenet-onnx all`: the main job on the bundled defaults (what `npm start` runs). */
export function registerPipeline(program: Command): void {
  program.command('all')
    .description('run the whole pipeline on the bundled defaults: train, then every later step (npm start)')
    .option('--skip-train', 'reuse the committed model instead of training it again')
    .action(async (opts: { skipTrain?: boolean }) => {
      await runPipeline({ skipTrain: Boolean(opts.skipTrain) });
    });
}
