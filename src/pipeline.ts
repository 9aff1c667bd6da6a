import { TRAIN_DEFAULTS } from './commands/train.js';
import { runTraining } from './train/run-training.js';

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
  for (const [i, step] of steps.entries()) {
    log(`\n== step ${i + 1}/${steps.length}: ${step.name} ==`);
    await step.run();
  }
}
