import type { Stage } from './chain-step.js';
import type { TrainKernels } from './own-kernels.js';

/**
 * A feature map as our kernels hold it: channel-major [C][N][H][rowW], `plane` floats per channel (a
 * convolution's output planes run on to a multiple of 8 floats), or plain rows [N][features].
 */
export type Activation =
  | { kind: 'map'; C: number; H: number; W: number; rowW: number; plane: number; at: number; grad: number }
  | { kind: 'rows'; F: number; at: number; grad: number };

/** Where a stage's buffers go, for a batch of N rows. */
export interface LayoutContext {
  N: number;
  /** Reserve `floats` (plus slack for vectors that run past the end): the byte offset of the buffer. */
  take(floats: number): number;
  /** The chain, and this stage's place in it. */
  stages: readonly Stage[];
  index: number;
}

/** Fields of a stage's struct beyond the N, a, o every stage starts with, as numbers. */
export type StageFields = Record<string, number>;

/**
 * One kind of stage on our kernels. Adding a layer kind is one entry here and one struct with its two
 * functions in kernels/stages.ts.
 */
export interface KernelStage<S extends Stage = Stage> {
  /** Why our kernels cannot run this stage (then the tfjs chain step runs the model), or nothing. */
  refuse(s: S): string | undefined;
  /** Reserve the stage's buffers after activation `a`: its struct's fields and the activation it leaves. */
  layout(s: S, a: Activation, c: LayoutContext): { fields: StageFields; next: Activation };
  /** The struct's own fields, in the order kernels/stages.ts declares them (after N, a, o). */
  fields: readonly string[];
  /** The kernels that run the stage from its struct. */
  forward: KernelName;
  backward: KernelName;
}

type KernelName = {
  [K in keyof TrainKernels]: TrainKernels[K] extends (stage: number) => void ? K : never;
}[keyof TrainKernels];

const up = (v: number, m: number) => Math.ceil(v / m) * m;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Floats of im2col buffer a convolution fills at a time: a chunk of the batch whose columns stay in cache
 * from the im2col to the product (the whole batch's would go through memory, once each way).
 */
const CHUNK_FLOATS = 65536;

const map = (C: number, H: number, W: number, rowW: number, plane: number, c: LayoutContext): Activation => ({
  kind: 'map',
  C,
  H,
  W,
  rowW,
  plane,
  at: c.take(C * plane),
  grad: c.take(C * plane),
});

const rows = (F: number, c: LayoutContext): Activation => ({
  kind: 'rows',
  F,
  at: c.take(c.N * F),
  grad: c.take(c.N * F),
});

const conv: KernelStage<Extract<Stage, { kind: 'conv' }>> = {
  refuse: (s) =>
    s.pad !== 'valid' || s.strides[0] !== 1 || s.strides[1] !== 1 ? 'a convolution is strided or padded' : undefined,
  fields: [
    ...['K', 'KH', 'KW', 'Co', 'OH', 'OW', 'R', 'chunk'],
    ...['cols', 'w', 'b', 'dw', 'db', 'wt', 'rows'],
    ...['relu', 'reluGrad', 'needInput'],
  ],
  layout(s, a, c) {
    if (a.kind !== 'map') throw new Error('fused step: a convolution on rows');
    const { N, index: i, stages } = c;
    const [KH, KW, , Co] = s.kernel.shape as number[];
    const K = KH * KW * a.C,
      OH = a.H - KH + 1,
      OW = a.W - KW + 1,
      R = up(N * OH * OW, 8);
    const poolAfter = stages[i + 1]?.kind === 'pool';
    // Behind a max-pool at most one output gradient in four is nonzero: the input gradient (needed
    // beyond the first stage) scatters them (convInputGradSparse).
    const sparse =
      i > 0 && poolAfter
        ? { wt: c.take(Co * KH * Math.ceil((KW * a.C) / 4) * 4), rows: c.take(N * a.H * a.W * a.C + 12) }
        : { wt: 0, rows: 0 };
    // Samples per chunk: a whole number of 8-column blocks, so every chunk but the last starts a block.
    const step = 8 / gcd(OH * OW, 8);
    const chunk = Math.min(N, Math.max(step, Math.floor(CHUNK_FLOATS / (K * OH * OW) / step) * step));
    const fields = {
      K,
      KH,
      KW,
      Co,
      OH,
      OW,
      R,
      chunk,
      cols: c.take(K * up(chunk * OH * OW, 8)),
      w: c.take(K * Co),
      b: c.take(Co),
      dw: c.take(K * Co),
      db: c.take(Co),
      ...sparse,
      relu: +s.relu,
      // A ReLU convolution followed by a max-pool gets its ReLU gradient in the pool's backward pass.
      reluGrad: +(s.relu && !poolAfter),
      needInput: +(i > 0),
    };
    return { fields, next: map(Co, OH, OW, OW, R, c) };
  },
  forward: 'convForward',
  backward: 'convBackward',
};

const pool: KernelStage<Extract<Stage, { kind: 'pool' }>> = {
  refuse: (s) =>
    s.pad !== 'valid' || s.size.join() !== '2,2' || s.strides.join() !== '2,2'
      ? 'a max-pool is not 2x2 with stride 2'
      : undefined,
  fields: ['PH', 'PW', 'arg', 'relu'],
  layout(_s, a, c) {
    if (a.kind !== 'map') throw new Error('fused step: a max-pool on rows');
    const PH = Math.floor(a.H / 2),
      PW = Math.floor(a.W / 2),
      plane = c.N * PH * PW;
    const before = c.stages[c.index - 1];
    const fields = { PH, PW, arg: c.take(a.C * plane), relu: +(before?.kind === 'conv' && before.relu) };
    return { fields, next: map(a.C, PH, PW, PW, plane, c) };
  },
  forward: 'poolForward',
  backward: 'poolBackward',
};

const flatten: KernelStage<Extract<Stage, { kind: 'flatten' }>> = {
  refuse: () => undefined,
  fields: [],
  layout: (_s, a, c) => ({ fields: {}, next: a.kind === 'map' ? rows(a.C * a.H * a.W, c) : a }),
  forward: 'flattenForward',
  backward: 'flattenBackward',
};

const dense: KernelStage<Extract<Stage, { kind: 'dense' }>> = {
  refuse: () => undefined,
  fields: ['I', 'O', 'w', 'b', 'dw', 'db', 'relu', 'needInput'],
  layout(s, a, c) {
    if (a.kind !== 'rows') throw new Error('fused step: a dense layer on a map');
    const [I, O] = s.kernel.shape as number[];
    const fields = {
      I,
      O,
      w: c.take(I * O),
      b: c.take(O),
      dw: c.take(I * O),
      db: c.take(O),
      relu: +s.relu,
      needInput: +(c.index > 0),
    };
    return { fields, next: rows(O, c) };
  },
  forward: 'denseForward',
  backward: 'denseBackward',
};

/** Every kind of stage our kernels run, by the chain step's stage kind. */
export const KERNEL_STAGES: { [K in Stage['kind']]: KernelStage<Extract<Stage, { kind: K }>> } = {
  conv,
  pool,
  flatten,
  dense,
};

/** The registry's entry for `s`, typed for it. */
export function kernelStage<S extends Stage>(s: S): KernelStage<S> {
  return KERNEL_STAGES[s.kind] as unknown as KernelStage<S>;
}
