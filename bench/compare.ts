// Side by side: the improved LeNet-5 and the classic 1998 LeNet-5, trained with the same seed, epochs and
// data, then exported to ONNX with the usual parity check. `npm run compare [-- --epochs N --limit N]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { intOption } from '../src/commands/options.js';
import { UserError } from '../src/errors.js';
import { TRAIN_DEFAULTS } from '../src/jobs/train.js';
import { EXPORT_DEFAULTS, exportModelDir } from '../src/jobs/export.js';
import { runTraining } from '../src/jobs/train.js';
import { median } from './stats.js';

/** Options of {@link compareArchitectures}. */
export interface CompareOptions {
  archs: string[];
  epochs: number;
  seed: number;
  /** Train on only this many images (quick runs); default all 55,000. */
  limit?: number;
  /** Images the ONNX parity check runs on. */
  verifySamples: number;
  log?: (line: string) => void;
}

/** Figures of one architecture. */
export interface CompareRow {
  arch: string;
  params: number;
  testAccuracy: number;
  /** Median and fastest wall-clock seconds per training epoch, and the throughput of the median. */
  epochSeconds: number;
  fastestEpochSeconds: number;
  samplesPerSecond: number;
  /**
   * Process CPU seconds (all threads) of the whole training run divided by the epochs: on a shared
   * machine the wall-clock figures move with the neighbours' load, CPU time much less.
   */
  cpuSecondsPerEpoch: number;
  onnxBytes: number;
  onnxNodes: number;
  parityMaxAbsDiff: number;
  argmaxAgreement: number;
}

/**
 * Train each architecture with the same seed, epochs, batch size, learning rate and data (one after the
 * other, in one process, so both see the same machine), export each to ONNX with the parity check, and
 * collect the figures. Models and ONNX files go to a temporary directory that is removed afterwards.
 */
export async function compareArchitectures(o: CompareOptions): Promise<CompareRow[]> {
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-compare-'));
  const rows: CompareRow[] = [];
  try {
    for (const arch of o.archs) {
      const modelDir = path.join(dir, arch);
      const cpu0 = process.cpuUsage();
      const { history } = await runTraining(
        {
          ...TRAIN_DEFAULTS,
          arch,
          epochs: o.epochs,
          seed: o.seed,
          limit: o.limit,
          out: modelDir,
          backend: 'auto',
          progress: false,
        },
        log,
      );
      const cpu = process.cpuUsage(cpu0);
      const onnx = await exportModelDir(
        {
          modelDir,
          out: path.join(dir, `${arch}.onnx`),
          opset: EXPORT_DEFAULTS.opset,
          verify: true,
          verifySamples: o.verifySamples,
          atol: EXPORT_DEFAULTS.atol,
        },
        log,
      );
      const epochSeconds = median(history.epochs.map((e) => e.seconds));
      rows.push({
        arch,
        params: history.parameters.total,
        testAccuracy: history.test.accuracy,
        epochSeconds,
        fastestEpochSeconds: Math.min(...history.epochs.map((e) => e.seconds)),
        cpuSecondsPerEpoch: (cpu.user + cpu.system) / 1e6 / o.epochs,
        samplesPerSecond: history.config.trainSamples / epochSeconds,
        onnxBytes: onnx.bytes,
        onnxNodes: onnx.nodes,
        parityMaxAbsDiff: onnx.parity!.maxAbsDiff,
        argmaxAgreement: onnx.parity!.argmaxAgreement,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The rows as a Markdown table (what README and BENCHMARKS show). */
export function formatCompare(
  rows: CompareRow[],
  o: Pick<CompareOptions, 'epochs' | 'seed' | 'limit' | 'verifySamples'>,
): string {
  const lines = [
    `Same seed (${o.seed}), ${o.epochs} epochs, batch ${TRAIN_DEFAULTS.batchSize}, Adam ${TRAIN_DEFAULTS.learningRate} (${TRAIN_DEFAULTS.lrSchedule} schedule), ` +
      `${o.limit === undefined ? 'all 55,000' : o.limit.toLocaleString('en-US')} training images; test accuracy on the 10,000 MNIST test images; ` +
      `parity on ${o.verifySamples.toLocaleString('en-US')} of them.`,
    '',
    '| architecture | trainable parameters | test accuracy | epoch time: median (fastest) | CPU time per epoch | ONNX file | ONNX nodes | parity max abs diff | argmax agreement |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.arch} | ${r.params.toLocaleString('en-US')} | ${(r.testAccuracy * 100).toFixed(2)}% | ${r.epochSeconds.toFixed(1)} s (${r.fastestEpochSeconds.toFixed(1)} s) | ` +
        `${r.cpuSecondsPerEpoch.toFixed(1)} s | ${r.onnxBytes.toLocaleString('en-US')} B | ${r.onnxNodes} | ` +
        `${r.parityMaxAbsDiff.toExponential(2)} | ${(r.argmaxAgreement * 100).toFixed(2)}% |`,
    ),
  ];
  if (rows.length === 2) {
    const [a, b] = rows;
    lines.push(
      '',
      `Ratios ${b.arch} / ${a.arch} in this run: parameters ${(b.params / a.params).toFixed(3)}, ` +
        `median epoch time ${(b.epochSeconds / a.epochSeconds).toFixed(2)}, fastest epoch ${(b.fastestEpochSeconds / a.fastestEpochSeconds).toFixed(2)}, ` +
        `CPU time per epoch ${(b.cpuSecondsPerEpoch / a.cpuSecondsPerEpoch).toFixed(2)}, ONNX file ${(b.onnxBytes / a.onnxBytes).toFixed(3)}.`,
    );
  }
  return lines.join('\n');
}

/** Command line: parse and validate the options, print the table; a bad option prints one line. */
async function cli(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        epochs: { type: 'string', default: String(TRAIN_DEFAULTS.epochs) },
        seed: { type: 'string', default: String(TRAIN_DEFAULTS.seed) },
        limit: { type: 'string' },
        'verify-samples': { type: 'string', default: String(EXPORT_DEFAULTS.verifySamples) },
      },
    });
    const o = {
      archs: ['lenet5', 'classic'],
      epochs: intOption('--epochs', values.epochs!, 1),
      seed: intOption('--seed', values.seed!, 0, 2 ** 32 - 1),
      limit: values.limit === undefined ? undefined : intOption('--limit', values.limit, 1),
      verifySamples: intOption('--verify-samples', values['verify-samples']!, 1, 10_000),
      log: (l: string) => process.stderr.write(l + '\n'),
    };
    process.stdout.write(formatCompare(await compareArchitectures(o), o) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof UserError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`compare: error: ${(err as Error).message}\n`);
      return err instanceof UserError ? err.exitCode : 2;
    }
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await cli(process.argv.slice(2));
}
