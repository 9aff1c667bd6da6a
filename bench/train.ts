// Benchmark of training speed on the wasm backend: the per-step profile with the backend's own gradient
// kernels and with ours, by autodiff and by the written-out chain step (on tfjs kernels and on our own wasm
// kernels), then training throughput with 1 and N worker threads measured in the same run (alternating,
// medians), and their ratio. LENET_BENCH_FULL=1 adds the default 5-epoch run of the CLI
// (wall time, peak memory, test accuracy), which takes minutes.
// Then the PyTorch anchor: `lenet-onnx train --limit 24000 --epochs 1` against bench/torch_anchor.py (the
// same network, samples and recipe in PyTorch on 2 threads), alternating, when /usr/bin/python3 has torch.
// Run: npm run bench:train   (LENET_BENCH_WORKERS=N to compare against N workers instead of the default;
// LENET_BENCH_ANCHOR=only for the anchor alone, =skip without it; LENET_BENCH_PAIRS=N anchor pairs, default 3)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../src/train/backend.js';
import { splitTrainValidation } from '../src/train/data/dataset.js';
import { defaultMnistDir, readMnist } from '../src/data/idx.js';
import { buildLenet5 } from '../src/train/models/lenet5.js';
import { defaultWorkers } from '../src/train/parallel/defaults.js';
import { trainModelParallel } from '../src/train/parallel/train-parallel.js';
import { profileMarkdown, profileSteps, type StepProfile } from './profile.js';
import { trainModel, type TrainConfig } from '../src/train/train.js';
import { TRAIN_DEFAULTS } from '../src/jobs/train.js';
import { disableFastWasmGradients, enableFastWasmGradients } from '../src/train/step/wasm-fast-grads.js';
import { median } from './stats.js';

/** Figures of {@link benchTrain}. */
export interface TrainBench {
  workers: number;
  /** Autodiff on the backend's own kernels: where the work started. */
  profileBackendKernels: StepProfile;
  /** Autodiff on our gradient kernels. */
  profileOurKernels: StepProfile;
  /** The chain step on tfjs kernels (ours for the gradients): what training ran before our own kernels. */
  profileChainTfjs: StepProfile;
  /** The chain step on our own wasm kernels: what training runs, batch 64 and a 2-worker shard of 32. */
  profileChain: StepProfile;
  profileChainShard: StepProfile;
  samplesPerSecond1: number[];
  samplesPerSecondN: number[];
  median1: number;
  medianN: number;
  ratio: number;
  /** Medians of samples per CPU-second (all threads): what the code costs, whatever the machine load. */
  perCpuSecond1: number;
  perCpuSecondN: number;
  loadAverage: number[];
  full?: {
    wallSeconds: number;
    trainingSeconds: number;
    peakRssMiB: number;
    testAccuracy: number;
    samplesPerSecond: number[];
  };
}

/** Figures of {@link benchAnchor}: ours against PyTorch, measured alternately in one run. */
export type AnchorBench =
  | { skipped: string }
  | {
      samples: number;
      torch: string;
      /** Per pair: our samples/s, PyTorch's, and ours/PyTorch. */
      pairs: Array<{ ours: number; torch: number; ratio: number }>;
      medianOurs: number;
      medianTorch: number;
      medianRatio: number;
      loadAverage: number[];
    };

const PYTHON = '/usr/bin/python3';
const ANCHOR_SAMPLES = 24000;

/** Why the anchor cannot run here, or undefined when /usr/bin/python3 imports torch. */
function anchorUnavailable(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} not found (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no torch (apt-get install python3-torch)`;
  return undefined;
}

/** One epoch of our default recipe on `samples` images, through the CLI itself; samples/s of the epoch. */
function oursOnce(samples: number): number {
  const out = mkdtempSync(path.join(tmpdir(), 'lenet-bench-anchor-'));
  try {
    const r = spawnSync(
      process.execPath,
      ['bin/lenet-onnx.js', 'train', '--limit', String(samples), '--epochs', '1', '--out', out],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`lenet-onnx train failed with exit code ${r.status}: ${r.stderr}`);
    const h = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8'));
    return h.epochs[0].samplesPerSecond;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** One epoch of bench/torch_anchor.py on the same samples: samples/s and the torch version. */
function torchOnce(samples: number): { rate: number; version: string } {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'torch_anchor.py');
  const r = spawnSync(PYTHON, [script, '--data', defaultMnistDir(), '--limit', String(samples), '--threads', '2'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`torch_anchor.py failed with exit code ${r.status}: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { rate: j.samplesPerSecond, version: j.torch };
}

/**
 * Our training speed against PyTorch's on the same machine in the same run: `pairs` alternating pairs (ours
 * first, then PyTorch), so a change in load hits both; skipped, with the reason, when torch is missing.
 * Both time only the training loop of one epoch (no start-up, no evaluation).
 */
export function benchAnchor(
  log: (line: string) => void = console.log,
  pairs = Number(process.env.LENET_BENCH_PAIRS ?? 3) || 3,
): AnchorBench {
  const why = anchorUnavailable();
  if (why) {
    log(`PyTorch anchor skipped: ${why}`);
    return { skipped: why };
  }
  const rows: Array<{ ours: number; torch: number; ratio: number }> = [];
  let version = '';
  for (let i = 0; i < pairs; i++) {
    const ours = oursOnce(ANCHOR_SAMPLES);
    const t = torchOnce(ANCHOR_SAMPLES);
    version = t.version;
    rows.push({ ours, torch: t.rate, ratio: ours / t.rate });
    log(
      `anchor pair ${i + 1}: ours ${Math.round(ours)} samples/s, PyTorch ${Math.round(t.rate)} samples/s, ours/PyTorch ${(ours / t.rate).toFixed(2)}`,
    );
  }
  const result = {
    samples: ANCHOR_SAMPLES,
    torch: version,
    pairs: rows,
    medianOurs: median(rows.map((r) => r.ours)),
    medianTorch: median(rows.map((r) => r.torch)),
    medianRatio: median(rows.map((r) => r.ratio)),
    loadAverage: loadavg(),
  };
  log(
    `anchor median: ours ${Math.round(result.medianOurs)} samples/s, PyTorch ${Math.round(result.medianTorch)} samples/s, ` +
      `median ratio ours/PyTorch ${result.medianRatio.toFixed(2)} (load average ${result.loadAverage.map((l) => l.toFixed(1)).join(', ')})`,
  );
  return result;
}

/** The anchor's figures as Markdown. */
export function anchorMarkdown(a: AnchorBench): string {
  if ('skipped' in a) return `PyTorch anchor skipped: ${a.skipped}.`;
  return [
    `Training throughput against PyTorch ${a.torch} (2 threads), one epoch of ${a.samples} MNIST samples, batch 64, alternating pairs:`,
    '',
    '| pair | ours, samples/s | PyTorch, samples/s | ours/PyTorch |',
    '|---:|---:|---:|---:|',
    ...a.pairs.map((p, i) => `| ${i + 1} | ${Math.round(p.ours)} | ${Math.round(p.torch)} | ${p.ratio.toFixed(2)} |`),
    `| median | ${Math.round(a.medianOurs)} | ${Math.round(a.medianTorch)} | **${a.medianRatio.toFixed(2)}** |`,
    '',
    `Load average during the run: ${a.loadAverage.map((l) => l.toFixed(1)).join(', ')}.`,
  ].join('\n');
}

/** Run the training benchmark; `log` gets one line per finding. */
export async function benchTrain(log: (line: string) => void = console.log): Promise<TrainBench> {
  await initBackend('wasm');
  const workers = Number(process.env.LENET_BENCH_WORKERS ?? 0) || Math.max(2, defaultWorkers());
  const mnist = await readMnist('train');
  // 6,400 rows = 100 steps of 64 per epoch; 2 epochs, the second one timed (warm kernels and threads).
  const { train, validation } = splitTrainValidation(mnist, 500, 42, 6400);

  const profile = async (ours: boolean, chain: boolean, batchSize = 64, ownKernels = true) => {
    if (ours) enableFastWasmGradients();
    else disableFastWasmGradients();
    const model = buildLenet5({ seed: 42 });
    const p = await profileSteps(model, train, { batchSize, steps: 60, warmup: 10, seed: 1, chain, ownKernels });
    model.dispose();
    return p;
  };
  const profileBackendKernels = await profile(false, false);
  const profileOurKernels = await profile(true, false);
  const profileChainTfjs = await profile(true, true, 64, false);
  const profileChain = await profile(true, true);
  const profileChainShard = await profile(true, true, 32);
  log(
    `profile, backend kernels: ${profileBackendKernels.stepMs.toFixed(1)} CPU ms/step (${Math.round(profileBackendKernels.samplesPerSecond)} samples per CPU-second)`,
  );
  log(
    `profile, our kernels:     ${profileOurKernels.stepMs.toFixed(1)} CPU ms/step (${Math.round(profileOurKernels.samplesPerSecond)} samples per CPU-second)`,
  );
  log(
    `profile, chain step, tfjs kernels: ${profileChainTfjs.stepMs.toFixed(1)} CPU ms/step (${Math.round(profileChainTfjs.samplesPerSecond)} samples per CPU-second)`,
  );
  log(
    `profile, chain step:      ${profileChain.stepMs.toFixed(1)} CPU ms/step (${Math.round(profileChain.samplesPerSecond)} samples per CPU-second); shard of 32: ${profileChainShard.stepMs.toFixed(1)} ms`,
  );

  // The default recipe (batch 64, Adam with the cosine schedule, augmentation), 2 epochs.
  const d = TRAIN_DEFAULTS;
  const config: TrainConfig = {
    epochs: 2,
    batchSize: d.batchSize,
    learningRate: d.learningRate,
    lrSchedule: d.lrSchedule,
    augment: true,
    seed: d.seed,
  };
  const once = async (n: number) => {
    const model = buildLenet5({ seed: 42 });
    // CPU time of the timed epoch (all threads of the process): on a loaded machine wall-clock rates
    // say more about the neighbours than about us, CPU time does not.
    let cpu0 = process.cpuUsage(),
      cpuSeconds = 0;
    const cb = {
      onEpochStart: () => {
        cpu0 = process.cpuUsage();
      },
      onEpochEnd: () => {
        const c = process.cpuUsage(cpu0);
        cpuSeconds = (c.user + c.system) / 1e6;
      },
    };
    const h =
      n === 1
        ? await trainModel(model, train, validation, config, cb)
        : await trainModelParallel(model, train, validation, config, { workers: n }, cb);
    model.dispose();
    return { rate: h[h.length - 1].samplesPerSecond, perCpuSecond: train.count / cpuSeconds };
  };
  const one: number[] = [],
    many: number[] = [],
    oneCpu: number[] = [],
    manyCpu: number[] = [];
  for (let r = 0; r < 3; r++) {
    // Alternate so a change in machine load hits both configurations alike.
    const a = await once(1),
      b = await once(workers);
    one.push(a.rate);
    oneCpu.push(a.perCpuSecond);
    many.push(b.rate);
    manyCpu.push(b.perCpuSecond);
    log(
      `run ${r + 1}: 1 worker ${Math.round(a.rate)} samples/s (${Math.round(a.perCpuSecond)} per CPU-second), ` +
        `${workers} workers ${Math.round(b.rate)} samples/s (${Math.round(b.perCpuSecond)} per CPU-second)`,
    );
  }
  const result: TrainBench = {
    workers,
    profileBackendKernels,
    profileOurKernels,
    profileChainTfjs,
    profileChain,
    profileChainShard,
    samplesPerSecond1: one,
    samplesPerSecondN: many,
    median1: median(one),
    medianN: median(many),
    ratio: median(many) / median(one),
    perCpuSecond1: median(oneCpu),
    perCpuSecondN: median(manyCpu),
    loadAverage: (await import('node:os')).loadavg(),
  };
  log(
    `median: 1 worker ${Math.round(result.median1)} samples/s, ${workers} workers ${Math.round(result.medianN)} samples/s, ratio ${result.ratio.toFixed(2)}; ` +
      `per CPU-second ${Math.round(result.perCpuSecond1)} vs ${Math.round(result.perCpuSecondN)}`,
  );

  if (process.env.LENET_BENCH_FULL === '1') result.full = fullRun(log);
  return result;
}

/** The CLI's default training run (5 epochs, default workers) in a child process. */
function fullRun(log: (line: string) => void): NonNullable<TrainBench['full']> {
  const out = mkdtempSync(path.join(tmpdir(), 'lenet-bench-train-'));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['bin/lenet-onnx.js', 'train', '--out', out], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`default training run failed with exit code ${r.status}`);
    const wallSeconds = (performance.now() - t0) / 1000;
    const h = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8'));
    const full = {
      wallSeconds,
      trainingSeconds: h.durations.trainingSeconds,
      peakRssMiB: h.peakRssBytes / 2 ** 20,
      testAccuracy: h.test.accuracy,
      samplesPerSecond: h.epochs.map((e: { samplesPerSecond: number }) => e.samplesPerSecond),
    };
    log(
      `default run: ${wallSeconds.toFixed(1)} s wall, ${full.trainingSeconds.toFixed(1)} s training, peak RSS ${full.peakRssMiB.toFixed(0)} MiB, test accuracy ${(full.testAccuracy * 100).toFixed(2)}%`,
    );
    return full;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The figures as the Markdown of BENCHMARKS.md's speed section. */
export function trainBenchMarkdown(b: TrainBench): string {
  return [
    `Training throughput, LeNet-5, the default recipe (batch 64, cosine Adam, augmented), wasm backend (median of ${b.samplesPerSecond1.length} alternating runs, 2nd epoch of 6,400 samples):`,
    '',
    '| workers | samples/s (runs) | median |',
    '|---:|---|---:|',
    `| 1 | ${b.samplesPerSecond1.map(Math.round).join(', ')} | ${Math.round(b.median1)} |`,
    `| ${b.workers} | ${b.samplesPerSecondN.map(Math.round).join(', ')} | ${Math.round(b.medianN)} |`,
    '',
    `Speed-up ${b.workers} vs 1 worker: **${b.ratio.toFixed(2)}x** (load average during the run: ${b.loadAverage.map((l) => l.toFixed(1)).join(', ')}).`,
    `CPU cost: ${Math.round(b.perCpuSecond1)} samples per CPU-second with 1 worker, ${Math.round(b.perCpuSecondN)} with ${b.workers} ` +
      `(all threads counted), so ${b.workers} idle cores could reach at most about ${Math.round(b.perCpuSecondN * b.workers)} samples/s.`,
    '',
    ...(
      [
        ['Per-step profile, one thread, backend kernels:', b.profileBackendKernels, 8],
        ['Per-step profile, one thread, our gradient kernels, autodiff:', b.profileOurKernels, 8],
        ['Per-step profile, one thread, our gradient kernels, the chain step on tfjs kernels:', b.profileChainTfjs, 10],
        [
          'Per-step profile, one thread, the chain step on our own wasm kernels (what training runs):',
          b.profileChain,
          14,
        ],
        ["The same for one replica's shard of 32 rows (2 workers):", b.profileChainShard, 10],
      ] as const
    ).flatMap(([title, p, rows]) => [title, '', profileMarkdown(p, rows), '']),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const anchor = process.env.LENET_BENCH_ANCHOR;
  if (anchor !== 'only') {
    const b = await benchTrain();
    console.log('\n' + trainBenchMarkdown(b));
  }
  if (anchor !== 'skip') console.log('\n' + anchorMarkdown(benchAnchor()));
}
