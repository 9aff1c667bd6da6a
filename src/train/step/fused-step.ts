import * as tf from '@tensorflow/tfjs';
import { chainPlan, softmaxCrossEntropy, type ChainPlan } from './chain-step.js';
import { layOut, ownKernelsRefuse, writeStructs, type FusedLayout } from './fused-layout.js';
import { kernelStage } from './kernel-stages.js';
import { instantiateKernels, type TrainKernels } from './own-kernels.js';
import { nativePrepare, type Prepare } from './prepare-input.js';
import type { GradientStep, StepResult } from './step-types.js';

/*
 * The chain step on our own kernels (kernels/*.ts, SIMD wasm): the whole forward and backward pass of a
 * chain of valid stride-1 convolutions, 2x2 max-pools and dense layers in one wasm instance, on buffers laid
 * out once per batch size. Why: at LeNet-5's sizes a tfjs step spends much of its time around the
 * arithmetic (a kernel call, an output allocation and a layout change per operation, each gradient read
 * back separately); here a step is one upload of the weights and the batch, one call per stage each way, one
 * read of the gradients. Every sum runs in a fixed order, so a step gives the same bits on every run. What
 * each kind of stage lays out and which kernels run it is in one place, kernel-stages.ts.
 *
 * The function is the one the tfjs chain step differentiates, so the two agree up to float rounding
 * (test/train/fused-step.test.ts).
 */

/** The fused step for `model`, or why it does not apply (then use the tfjs chain step). */
export function compileFusedStep(model: tf.LayersModel): GradientStep | { unsupported: string } {
  const plan = chainPlan(model);
  if ('unsupported' in plan) return plan;
  const inputShape = (plan.layers[0].input as tf.SymbolicTensor).shape.slice(1) as number[];
  const refused = ownKernelsRefuse(plan.stages, inputShape.length + 1);
  if (refused) return { unsupported: refused };
  const k = instantiateKernels();
  if (typeof k === 'string') return { unsupported: k };
  const layouts = new Map<number, FusedLayout>();
  // The layout whose structs are in memory: the layouts of all batch sizes start at the same base, so a
  // step on another size than the last one writes its own again.
  let written: FusedLayout | undefined;
  const use = (l: FusedLayout): FusedLayout => {
    if (written !== l) writeStructs(new Int32Array(k.memory.buffer), l, plan.stages);
    written = l;
    return l;
  };
  const layoutFor = (n: number): FusedLayout => {
    let l = layouts.get(n);
    if (!l) {
      l = layOut(plan.stages, inputShape, n, Math.ceil(k.heapBase() / 16) * 16);
      const need = l.end - k.memory.buffer.byteLength;
      if (need > 0) k.memory.grow(Math.ceil(need / 65536));
      layouts.set(n, l);
    }
    return l;
  };
  const modelInput = model.inputs[0].shape.slice(1) as number[];
  const native = nativePrepare(plan.prepare, modelInput);
  return {
    kind: 'chain',
    kernels: 'own',
    takesFlatWeights: true,
    run: (x, y, weight, out, weights) =>
      runFused(k, plan, native, use(layoutFor(x.shape[0])), x, y, weight, out, weights),
    forward: (x, y) => runFused(k, plan, native, use(layoutFor(x.shape[0])), x, y, 1, undefined),
  };
}

/** The prepared input in the kernels' input rows: in JavaScript when {@link nativePrepare} can, else on tfjs. */
function prepare(plan: ChainPlan, native: Prepare | undefined, x: tf.Tensor, dst: Float32Array): void {
  if (native) return native(x.dataSync() as Float32Array, x.shape[0], dst);
  if (plan.prepare.length === 0) return dst.set(x.dataSync() as Float32Array);
  // The tensor, not its values, leaves the tidy: tidy walks whatever it returns looking for tensors, which
  // over a typed array means every element.
  const a = tf.tidy(() => plan.prepare.reduce((t, l) => l.apply(t, { training: true }) as tf.Tensor, x));
  try {
    dst.set(a.dataSync() as Float32Array);
  } finally {
    a.dispose();
  }
}

/** One step on `L`'s buffers (its structs written); without `out`, the forward pass and the loss only. */
function runFused(
  k: TrainKernels,
  plan: ChainPlan,
  native: Prepare | undefined,
  L: FusedLayout,
  x: tf.Tensor,
  y: Float32Array,
  weight: number,
  out: Float32Array | undefined,
  weights?: Float32Array,
): StepResult {
  const N = L.N;
  // Views after any growth of the memory (growing detaches the earlier ones).
  const f32 = new Float32Array(k.memory.buffer);
  const at = (bytes: number) => bytes >> 2;
  prepare(plan, native, x, f32.subarray(at(L.input), at(L.input) + N * L.inputRow));
  const put = (v: tf.LayerVariable, to: number) => {
    const size = v.shape.reduce((p: number, q) => p * (q ?? 1), 1);
    if (weights) f32.set(weights.subarray(plan.offsets.get(v)!, plan.offsets.get(v)! + size), at(to));
    else f32.set(v.read().dataSync() as Float32Array, at(to));
  };
  plan.stages.forEach((s, i) => {
    if (s.kind !== 'conv' && s.kind !== 'dense') return;
    const l = L.stages[i].fields;
    put(s.kernel, l.w);
    if (s.bias) put(s.bias, l.b);
    else f32.fill(0, at(l.b), at(l.b) + (s.kernel.shape[s.kernel.shape.length - 1] as number));
  });
  if (L.acts[0].kind === 'map') k.inputForward(L.inputStruct);
  // Forward. The output layer's softmax is applied with the loss: its Dense runs linear.
  plan.stages.forEach((s, i) => k[kernelStage(s).forward](L.stages[i].struct));

  const last = L.acts[L.acts.length - 1];
  if (last.kind !== 'rows') throw new Error('fused step: the chain does not end in rows');
  const classes = last.F;
  const loss = softmaxCrossEntropy(f32.subarray(at(last.at), at(last.at) + N * classes), y, N, classes, weight);
  if (!out) return loss.result;
  f32.set(loss.dLogits, at(last.grad));

  // Backward, from the loss to the first stage (whose input gradient nobody needs).
  for (let i = plan.stages.length - 1; i >= 0; i--) k[kernelStage(plan.stages[i]).backward](L.stages[i].struct);
  plan.stages.forEach((s, i) => {
    if (s.kind !== 'conv' && s.kind !== 'dense') return;
    const l = L.stages[i].fields;
    const size = s.kernel.shape.reduce((p: number, q) => p * (q ?? 1), 1);
    out.set(f32.subarray(at(l.dw), at(l.dw) + size), plan.offsets.get(s.kernel)!);
    if (s.bias) out.set(f32.subarray(at(l.db), at(l.db) + s.bias.shape[0]!), plan.offsets.get(s.bias)!);
  });
  return loss.result;
}
