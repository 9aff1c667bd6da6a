import type { Stage } from './chain-step.js';

/**
 * A feature map as our kernels hold it: channel-major [C][N][H][rowW], `plane` floats per channel (a
 * convolution's output planes run on to a multiple of 8 floats), or plain rows [N][features].
 */
export type Activation =
  | { kind: 'map'; C: number; H: number; W: number; rowW: number; plane: number; at: number; grad: number }
  | { kind: 'rows'; F: number; at: number; grad: number };

/** Where each stage's buffers live in the kernels' memory for a batch of N rows. */
export type StageLayout =
  | {
      kind: 'conv';
      K: number;
      KH: number;
      KW: number;
      Co: number;
      OH: number;
      OW: number;
      R: number;
      chunk: number;
      cols: number;
      w: number;
      b: number;
      dw: number;
      db: number;
      sparse?: { wt: number; rows: number };
    }
  | { kind: 'pool'; PH: number; PW: number; arg: number }
  | { kind: 'flatten' }
  | { kind: 'dense'; I: number; O: number; w: number; b: number; dw: number; db: number };

export interface FusedLayout {
  N: number;
  /** The prepared input, NHWC rows. */
  input: number;
  /** Floats per prepared input row. */
  inputRow: number;
  /** The activation entering each stage, then the one leaving the last (length stages + 1). */
  acts: Activation[];
  stages: StageLayout[];
  /** Bytes in all (the end of the last buffer). */
  end: number;
}

/** Stages our kernels can run; the others go to the tfjs chain step. */
export function ownKernelsRefuse(stages: Stage[], inputRank: number): string | undefined {
  for (const s of stages) {
    if (s.kind === 'conv' && (s.pad !== 'valid' || s.strides[0] !== 1 || s.strides[1] !== 1))
      return 'a convolution is strided or padded';
    if (s.kind === 'pool' && (s.pad !== 'valid' || s.size.join() !== '2,2' || s.strides.join() !== '2,2'))
      return 'a max-pool is not 2x2 with stride 2';
  }
  if ((stages[0].kind === 'conv' || stages[0].kind === 'pool') && inputRank !== 4)
    return 'the first layer does not take pictures';
  return undefined;
}

const up = (v: number, m: number) => Math.ceil(v / m) * m;
const SLACK = 64;
/**
 * Floats of im2col buffer a convolution fills at a time: a chunk of the batch whose columns stay in cache
 * from the im2col to the product (the whole batch's would go through memory, once each way).
 */
const CHUNK_FLOATS = 65536;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Lay out every buffer of a step on N rows from `base` (bytes, 16-aligned): weights, gradients,
 * activations and their gradients, each with slack for the vectors that run past a row's end (up to three
 * past the last row). `input` is the prepared input's shape without the batch axis.
 */
export function layOut(stages: Stage[], input: number[], N: number, base: number): FusedLayout {
  let end = base;
  const take = (floats: number) => {
    const at = end;
    end += up(floats * 4 + SLACK, 16);
    return at;
  };
  const inputRow = input.reduce((a, b) => a * b, 1);
  const input0 = take(N * inputRow);
  const acts: Activation[] = [];
  const layouts: StageLayout[] = [];
  let a: Activation;
  if (input.length === 3) {
    const [H, W, C] = input;
    const plane = N * H * W;
    a = { kind: 'map', C, H, W, rowW: W, plane, at: take(C * plane), grad: take(C * plane) };
  } else {
    const F = input.reduce((p, q) => p * q, 1);
    a = { kind: 'rows', F, at: input0, grad: take(N * F) };
  }
  for (const [i, s] of stages.entries()) {
    acts.push(a);
    switch (s.kind) {
      case 'conv': {
        if (a.kind !== 'map') throw new Error('fused step: a convolution on rows');
        const [KH, KW, , Co] = s.kernel.shape as number[];
        const K = KH * KW * a.C,
          OH = a.H - KH + 1,
          OW = a.W - KW + 1,
          R = up(N * OH * OW, 8);
        // Behind a max-pool at most one output gradient in four is nonzero: the input gradient (needed
        // beyond the first stage) scatters them (convInputGradSparse).
        const sparse =
          i > 0 && stages[i + 1]?.kind === 'pool'
            ? { wt: take(Co * KH * Math.ceil((KW * a.C) / 4) * 4), rows: take(N * a.H * a.W * a.C + 12) }
            : undefined;
        // Samples per chunk: a whole number of 8-column blocks, so every chunk but the last starts a block.
        const step = 8 / gcd(OH * OW, 8);
        const chunk = Math.min(N, Math.max(step, Math.floor(CHUNK_FLOATS / (K * OH * OW) / step) * step));
        layouts.push({
          kind: 'conv',
          K,
          KH,
          KW,
          Co,
          OH,
          OW,
          R,
          chunk,
          cols: take(K * up(chunk * OH * OW, 8)),
          w: take(K * Co),
          b: take(Co),
          dw: take(K * Co),
          db: take(Co),
          sparse,
        });
        a = { kind: 'map', C: Co, H: OH, W: OW, rowW: OW, plane: R, at: take(Co * R), grad: take(Co * R) };
        break;
      }
      case 'pool': {
        if (a.kind !== 'map') throw new Error('fused step: a max-pool on rows');
        const PH = Math.floor(a.H / 2),
          PW = Math.floor(a.W / 2),
          plane = N * PH * PW;
        layouts.push({ kind: 'pool', PH, PW, arg: take(a.C * plane) });
        a = { kind: 'map', C: a.C, H: PH, W: PW, rowW: PW, plane, at: take(a.C * plane), grad: take(a.C * plane) };
        break;
      }
      case 'flatten': {
        layouts.push({ kind: 'flatten' });
        if (a.kind === 'map') {
          const F = a.C * a.H * a.W;
          a = { kind: 'rows', F, at: take(N * F), grad: take(N * F) };
        }
        break;
      }
      case 'dense': {
        if (a.kind !== 'rows') throw new Error('fused step: a dense layer on a map');
        const [I, O] = s.kernel.shape as number[];
        layouts.push({ kind: 'dense', I, O, w: take(I * O), b: take(O), dw: take(I * O), db: take(O) });
        a = { kind: 'rows', F: O, at: take(N * O), grad: take(N * O) };
        break;
      }
    }
  }
  acts.push(a);
  return { N, input: input0, inputRow, acts, stages: layouts, end };
}
