import cliProgress from 'cli-progress';
import type { EpochRecord, TrainCallbacks } from '../train.js';

/** A logger the long-running steps write their lines to (stdout by default; tests capture it). */
export type Log = (line: string) => void;

/** Format an epoch's figures as one line. */
export function epochLine(r: EpochRecord, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}: loss ${r.trainLoss.toFixed(4)} acc ${(r.trainAccuracy * 100).toFixed(2)}%` +
    ` | val loss ${r.valLoss.toFixed(4)} acc ${(r.valAccuracy * 100).toFixed(2)}%` +
    ` | ${r.seconds.toFixed(1)} s, ${Math.round(r.samplesPerSecond)} samples/s`
  );
}

/**
 * Callbacks that show a progress bar on stderr while an epoch runs (only when stderr is a terminal)
 * and always print one plain line per epoch.
 */
export function trainingProgress(epochs: number, log: Log, tty = Boolean(process.stderr.isTTY)): TrainCallbacks {
  let bar: cliProgress.SingleBar | undefined;
  return {
    onEpochStart(epoch, batches) {
      if (!tty) return;
      bar = new cliProgress.SingleBar(
        {
          format: `epoch ${epoch}/${epochs} [{bar}] {percentage}% | {value}/{total} batches | loss {loss} acc {acc} | eta {eta}s`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { loss: '-', acc: '-' });
    },
    onBatchEnd(batch, loss, acc) {
      bar?.update(batch, { loss: loss.toFixed(4), acc: `${(acc * 100).toFixed(2)}%` });
    },
    onEpochEnd(record) {
      bar?.stop();
      bar = undefined;
      log(epochLine(record, epochs));
    },
  };
}
