import * as tf from '@tensorflow/tfjs';
import { gatherBatch, type Split } from '../src/train/data/dataset.js';
import { permutation, seededRandom } from '../src/train/data/rng.js';
import { FlatAdam } from '../src/train/step/flat-adam.js';
import { gradientStep } from '../src/train/step/gradient-step.js';
import { setKernelTimer } from '../src/train/step/own-kernels.js';
import { crossEntropy } from '../src/train/step/loss.js';
import { median } from './stats.js';

/** Median CPU milliseconds per training step, split into the phases of one step. */
export interface StepProfile {
  batchSize: number;
  steps: number;
  /** Copying the rows of a batch and making its tensors. */
  batchingMs: number;
  /** Forward pass + loss alone (a pass the step does not need; measured to split the gradient time). */
  forwardMs: number;
  /** Forward + backward as training runs it ({@link gradientStep}), gradients read out to JavaScript. */
  gradientsMs: number;
  /** Which gradient step ran: the written-out chain step or autodiff. */
  stepKind: 'chain' | 'autodiff';
  /** Gradients minus forward: the backward pass alone (our kernels: the backward kernels' time). */
  backwardMs: number;
  /**
   * Our kernels only: the step's time outside the kernels (input, weights, loss, gradients read out). Then
   * forward and backward are the forward and backward kernels' times within the step, and the kernel table
   * lists our kernels.
   */
  aroundKernelsMs?: number;
  /** The {@link FlatAdam} step. */
  optimizerMs: number;
  /** batching + gradients + optimizer: one step as the training loop runs it. */
  stepMs: number;
  /** Samples per CPU-second implied by {@link stepMs} (= samples/s on an idle core). */
  samplesPerSecond: number;
  /** Kernel time of one step by kernel name (tfjs profiler, wall time; median over several steps), largest first, with its share of the total. */
  kernels: Array<{ name: string; ms: number; calls: number; share: number }>;
  /** Tensors alive before and after the profiled steps (equal = no leak). */
  tensorsBefore: number;
  tensorsAfter: number;
}

const KERNEL_PROFILE_STEPS = 9;

/**
 * Time the phases of `steps` real training steps (Adam, softmax cross-entropy) of `model` on `train`,
 * after `warmup` untimed steps, and profile the kernels of one more step. Trains the model as it goes
 * (use a throw-away replica). The wasm and cpu backends run kernels synchronously, so wall-clock time
 * around each call is that phase's time; on an asynchronous backend the readback would absorb the rest.
 */
export async function profileSteps(
  model: tf.LayersModel,
  train: Split,
  o: {
    batchSize: number;
    steps: number;
    warmup: number;
    seed: number;
    learningRate?: number;
    chain?: boolean;
    ownKernels?: boolean;
  },
): Promise<StepProfile> {
  const classes = model.outputs[0].shape[1] as number;
  const order = permutation(train.count, seededRandom(o.seed));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new FlatAdam(vars, o.learningRate ?? 0.001);
  // Our kernels, where the step runs on them, report every call: the kernel table then lists them (the tfjs
  // profiler sees none of their work).
  let ownCalls: Map<string, { ms: number; calls: number }> | undefined,
    inBackward = false;
  setKernelTimer((name, ms) => {
    if (/Grad|Backward|reluMask/.test(name)) inBackward = true;
    const key = `${name} (${inBackward ? 'backward' : 'forward'})`;
    if (!ownCalls) return;
    const e = ownCalls.get(key) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    ownCalls.set(key, e);
  });
  const gradients = gradientStep(model, { chain: o.chain, ownKernels: o.ownKernels });
  setKernelTimer(undefined);
  const own = gradients.kernels === 'own';
  const ownSteps: Array<Map<string, { ms: number; calls: number }>> = [];
  const flat = new Float32Array(optimizer.size);
  const t = { batching: [] as number[], forward: [] as number[], gradients: [] as number[], optimizer: [] as number[] };
  const tensorsBefore = tf.memory().numTensors;

  // CPU time of this thread's process, not wall time: on a shared machine a phase's wall time includes
  // the time other processes ran; its CPU time does not (the backend runs kernels on this thread).
  const now = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const step = (i: number, timed: boolean): void => {
    const start = (i * o.batchSize) % Math.max(1, train.count - o.batchSize);
    let t0 = now();
    const b = gatherBatch(train, order, start, o.batchSize, classes);
    const x = tf.tensor4d(b.x, [o.batchSize, train.rows, train.cols, 1]);
    let t1 = now();
    if (timed) t.batching.push(t1 - t0);
    t0 = now();
    // The forward pass alone, timed to split a step into forward and backward; training does not run it.
    tf.tidy(() => {
      crossEntropy(
        tf.tensor2d(b.y, [o.batchSize, classes]),
        model.apply(x, { training: true }) as tf.Tensor,
      ).dataSync();
    });
    t1 = now();
    if (timed) t.forward.push(t1 - t0);
    t0 = now();
    inBackward = false;
    ownCalls = timed && own ? new Map() : undefined;
    gradients.run(x, b.y, 1, flat);
    t1 = now();
    if (ownCalls) ownSteps.push(ownCalls);
    ownCalls = undefined;
    if (timed) t.gradients.push(t1 - t0);
    t0 = now();
    optimizer.step(flat);
    t1 = now();
    if (timed) t.optimizer.push(t1 - t0);
    x.dispose();
  };

  for (let i = 0; i < o.warmup; i++) step(i, false);
  for (let i = 0; i < o.steps; i++) step(o.warmup + i, true);
  // Kernel times of several profiled steps, the median per kernel name: one step's figures on a busy
  // machine carry whatever preemption hit them.
  const perStep: Array<Map<string, { ms: number; calls: number }>> = [];
  for (let i = 0; i < KERNEL_PROFILE_STEPS; i++) {
    const info = await tf.profile(() => {
      step(o.warmup + o.steps + i, false);
    });
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      // '<op>__op' entries are op wrappers timing the kernels nested in them: counting both would double.
      if (k.name.endsWith('__op')) continue;
      const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += Number(k.kernelTimeMs) || 0;
      e.calls++;
      byName.set(k.name, e);
    }
    perStep.push(byName);
  }
  const tensorsAfter = tf.memory().numTensors;

  const steps = own ? ownSteps : perStep;
  const names = new Set(steps.flatMap((m) => [...m.keys()]));
  const medians = [...names].map((name) => ({
    name,
    ms: median(steps.map((m) => m.get(name)?.ms ?? 0)),
    calls: steps[0].get(name)?.calls ?? 0,
  }));
  const totalKernel = medians.reduce((s, e) => s + e.ms, 0) || 1;
  const kernels = medians.map((e) => ({ ...e, share: e.ms / totalKernel })).sort((a, b) => b.ms - a.ms);

  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
  const stepMs = m.batching + m.gradients + m.optimizer;
  // Our kernels: the split comes from the kernels themselves (wall time, so scaled to the step's CPU time).
  const phase = (p: string) => medians.filter((e) => e.name.endsWith(`(${p})`)).reduce((a, e) => a + e.ms, 0);
  const ownForward = phase('forward'),
    ownBackward = phase('backward');
  const ownScale = own ? Math.min(1, m.gradients / Math.max(1e-9, ownForward + ownBackward)) : 1;
  return {
    batchSize: o.batchSize,
    steps: o.steps,
    batchingMs: m.batching,
    forwardMs: own ? ownForward * ownScale : m.forward,
    gradientsMs: m.gradients,
    backwardMs: own ? ownBackward * ownScale : Math.max(0, m.gradients - m.forward),
    aroundKernelsMs: own ? Math.max(0, m.gradients - (ownForward + ownBackward) * ownScale) : undefined,
    optimizerMs: m.optimizer,
    stepKind: gradients.kind,
    stepMs,
    samplesPerSecond: (o.batchSize / stepMs) * 1000,
    kernels,
    tensorsBefore,
    tensorsAfter,
  };
}

/** A profile as Markdown table rows (phase | ms | share of the step), then the kernel table. */
export function profileMarkdown(p: StepProfile, topKernels = 12): string {
  const pct = (v: number) => `${((v / p.stepMs) * 100).toFixed(0)}%`;
  const rows: Array<readonly [string, number]> =
    p.aroundKernelsMs === undefined
      ? [
          ['batching (gather rows + make tensors)', p.batchingMs],
          ['forward (model + loss)', p.forwardMs],
          ['backward (gradients - forward)', p.backwardMs],
          ['optimizer (Adam)', p.optimizerMs],
        ]
      : [
          ['batching (gather rows + make tensors)', p.batchingMs],
          ['forward (our kernels)', p.forwardMs],
          ['backward (our kernels)', p.backwardMs],
          ['around the kernels (input, weights, loss, gradients out)', p.aroundKernelsMs],
          ['optimizer (Adam)', p.optimizerMs],
        ];
  const lines = [
    `| phase (batch ${p.batchSize}, median of ${p.steps} steps) | CPU ms/step | share |`,
    '|---|---:|---:|',
    ...rows.map(([n, v]) => `| ${n} | ${v.toFixed(2)} | ${pct(v)} |`),
    `| **step** | **${p.stepMs.toFixed(2)}** | ${Math.round(p.samplesPerSecond)} samples per CPU-second |`,
    '',
    p.aroundKernelsMs === undefined
      ? `| kernel (one step, tfjs profiler, median of ${KERNEL_PROFILE_STEPS} steps) | calls | ms | share |`
      : `| our kernel (one step, wall time per call, median of ${p.steps} steps) | calls | ms | share |`,
    '|---|---:|---:|---:|',
    ...p.kernels
      .slice(0, topKernels)
      .map((k) => `| ${k.name} | ${k.calls} | ${k.ms.toFixed(2)} | ${(k.share * 100).toFixed(0)}% |`),
  ];
  return lines.join('\n');
}
