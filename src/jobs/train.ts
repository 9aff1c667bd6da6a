import type { AugmentMode } from '../train/data/augment-choice.js';
import { defaultWorkers } from '../train/parallel/defaults.js';
import { trainingProgress, type Log } from '../train/report/progress.js';
import { prepareRun, type RunEvents, type RunHistory, type RunOptions } from '../train/run.js';
import { checkRunOutput, saveRun } from '../train/save-run.js';
import type { LrSchedule } from '../train/step/schedule.js';

export type { SymbolFigures } from '../train/run.js';

/**
 * Defaults of `lenet-onnx train`, the main job and the training bench: the coursework's settings (Adam 1e-3,
 * batch 64, 5 epochs, 55k/5k split) with the rate cosine-annealed from its peak and augmented pictures where
 * the data allows it (`auto`: always on MNIST itself; docs/training.md says why).
 */
export const TRAIN_DEFAULTS = {
  epochs: 5,
  batchSize: 64,
  learningRate: 0.001,
  lrSchedule: 'cosine' as LrSchedule,
  augment: 'auto' as AugmentMode,
  seed: 42,
  validationSize: 5000,
  workers: defaultWorkers(),
} as const;

/** Options of a training job (already validated by the command). */
export interface TrainingOptions extends RunOptions {
  /** Output directory for model.json, weights, history.json, curves.svg, card.md. */
  out: string;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

/** What a finished job produced. */
export interface TrainingResult {
  history: RunHistory;
  files: string[];
}

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

/** The lines a run's events print, around the progress of its epochs. */
function reporter(o: TrainingOptions, log: Log): RunEvents {
  return {
    ...trainingProgress(o.epochs, log, o.progress),
    synthesised: (e) =>
      log(
        `synthesised ${e.symbols.length} x ${e.perSymbol.train} training and ${e.symbols.length} x ${e.perSymbol.validation} validation pictures of ${e.symbols.join(' ')}${e.styled ? `, and ${e.styled} training digits in other styles` : ''} in ${e.seconds.toFixed(1)} s`,
      ),
    started: (e) =>
      log(
        `training ${e.arch}${e.extras.length ? ` (${e.symbols}: ${e.labels.length} labels)` : ''} on ${e.train} images (${e.validation} validation, ${e.test} test), backend ${e.backend}, seed ${e.seed}, ${e.workers} worker${e.workers === 1 ? '' : 's'}`,
      ),
    augmentation: (d) => log(`augmentation ${d.augment ? 'on' : 'off'} (${d.mode}): ${d.reason}`),
    gradients(step) {
      const chainOn =
        step.kernels === 'own' ? 'our own wasm kernels' : `tfjs kernels${step.reason ? `: ${step.reason}` : ''}`;
      log(
        `gradients: ${step.kind === 'chain' ? `the chain step (backward pass written out for this chain of layers, on ${chainOn})` : `autodiff (${step.reason})`}`,
      );
    },
    symbolValidation: (v, extras) =>
      log(`  validation: digits ${percent(v.digitsAccuracy)}, ${extras.join(' ')} ${percent(v.symbolsAccuracy)}`),
    tested: (t) => log(`test: loss ${t.loss.toFixed(4)}, accuracy ${percent(t.accuracy)} on ${t.samples} images`),
    symbolsTested: (t, extras) =>
      log(`test (synthesised ${extras.join(' ')}): accuracy ${percent(t.accuracy)} on ${t.samples} pictures`),
  };
}

/**
 * Train an architecture on MNIST end to end (src/train/run.ts), then save the model and its reports into
 * `out` as one set (an interrupted run leaves the previous model intact).
 */
export async function runTraining(
  o: TrainingOptions,
  log: Log = (l) => process.stdout.write(l + '\n'),
): Promise<TrainingResult> {
  const events = reporter(o, log);
  const run = await prepareRun(o, events);
  // Fail on an output that cannot take the model before spending minutes training, but only once the input is
  // known good: a refused run must not leave an empty directory behind.
  await checkRunOutput(o.out);
  const finished = await run.train(events);
  const files = await saveRun(finished, o.out);
  finished.model.dispose();
  return { history: finished.history, files };
}
