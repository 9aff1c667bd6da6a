// The stages of the fused training step, each run forward or backward from one struct in linear memory that
// the caller wrote (src/train/step/kernel-stages.ts fills each kind's fields, fused-layout.ts writes them in
// the order declared here; test/train/kernels/ fails when the two orders disagree). One pointer per call instead of a row of integers: the caller names every field
// once, and a stage's kernels read what they need from it.
import { im2col } from './im2col';
import { convBiasGrad, convFilterGrad, convProducts } from './conv';
import { convInputGrad } from './conv-input-grad';
import { convInputGradSparse } from './conv-input-grad-sparse';
import { poolScatter, poolWindows } from './pool';
import { denseFilterGrad, denseInputGrad, denseProducts } from './dense';
import { reluMask, reluMaskAny } from './vec';
import { nhwc } from './layout';

/**
 * An activation and its gradient: a channel-major map [C][N][H][rowW] with `plane` floats per channel
 * (`rows` 0), or rows [N][F] (`rows` 1; the map fields unused).
 */
@unmanaged export class Act {
  rows: i32;
  C: i32;
  H: i32;
  W: i32;
  rowW: i32;
  plane: i32;
  F: i32;
  at: usize;
  grad: usize;
}

/** The model's input (NHWC rows at `input`) and the map it becomes. */
@unmanaged export class InputStage {
  N: i32;
  input: usize;
  o: Act;
}

/**
 * A convolution (valid padding, stride 1) from map `a` to map `o` (plane R). Its im2col buffer `cols` holds
 * `chunk` samples at a time. `wt` and `rows` are the sparse input gradient's scratch (0: the dense one).
 */
@unmanaged export class ConvStage {
  N: i32;
  a: Act;
  o: Act;
  K: i32;
  KH: i32;
  KW: i32;
  Co: i32;
  OH: i32;
  OW: i32;
  R: i32;
  chunk: i32;
  cols: usize;
  w: usize;
  b: usize;
  dw: usize;
  db: usize;
  wt: usize;
  rows: usize;
  /** ReLU on the output. */
  relu: i32;
  /** Apply the ReLU's gradient here (0 when a max-pool follows: it applies it at the winners). */
  reluGrad: i32;
  /** Compute the input's gradient (0 for the first stage: nobody needs it). */
  needInput: i32;
}

/** A 2x2 max-pool with stride 2; `arg` holds each window's winner. */
@unmanaged export class PoolStage {
  N: i32;
  a: Act;
  o: Act;
  PH: i32;
  PW: i32;
  arg: usize;
  /** The map it pools is a ReLU's output: its gradient is applied here. */
  relu: i32;
}

/** A Flatten: map `a` to NHWC rows `o` (nothing to do when `a` is rows already). */
@unmanaged export class FlattenStage {
  N: i32;
  a: Act;
  o: Act;
}

/** A Dense layer, rows [N][I] to rows [N][O]. */
@unmanaged export class DenseStage {
  N: i32;
  a: Act;
  o: Act;
  I: i32;
  O: i32;
  w: usize;
  b: usize;
  dw: usize;
  db: usize;
  relu: i32;
  needInput: i32;
}

/** The input rows into the first map. */
export function inputForward(stage: usize): void {
  const s = changetype<InputStage>(stage), o = s.o;
  nhwc(s.input, s.N, o.H, o.W, o.C, o.rowW, o.plane, o.at, true);
}

/** The im2col columns of a chunk of n samples: whole 8-column blocks. */
// @ts-ignore: decorator
@inline
function chunkCols(n: i32, OH: i32, OW: i32): i32 {
  return (n * OH * OW + 7) & ~7;
}

export function convForward(stage: usize): void {
  const s = changetype<ConvStage>(stage), a = s.a, o = s.o;
  const N = s.N, KH = s.KH, KW = s.KW, OH = s.OH, OW = s.OW, chunk = s.chunk;
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const n = min(chunk, N - n0), cols = chunkCols(n, OH, OW);
    im2col(a.at, a.C, n0, n, a.H, a.rowW, a.plane, KH, KW, OH, OW, cols, s.cols);
    convProducts(s.cols, s.K, cols, s.w, s.Co, s.b, s.relu != 0, o.at + (<usize>(n0 * OH * OW) << 2), s.R);
  }
}

export function convBackward(stage: usize): void {
  const s = changetype<ConvStage>(stage), a = s.a, o = s.o;
  const N = s.N, KH = s.KH, KW = s.KW, OH = s.OH, OW = s.OW, chunk = s.chunk, Co = s.Co, R = s.R;
  if (s.reluGrad != 0) reluMask(o.grad, o.at, Co * R);
  convBiasGrad(o.grad, R, Co, s.db);
  // The im2col chunks again, rather than keeping the whole batch's in memory.
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const n = min(chunk, N - n0), cols = chunkCols(n, OH, OW);
    im2col(a.at, a.C, n0, n, a.H, a.rowW, a.plane, KH, KW, OH, OW, cols, s.cols);
    convFilterGrad(s.cols, s.K, cols, o.grad + (<usize>(n0 * OH * OW) << 2), R, Co, s.dw, n0 > 0);
  }
  if (s.needInput == 0) return;
  if (s.rows != 0)
    convInputGradSparse(o.grad, Co, R, s.w, a.C, N, a.H, a.W, a.rowW, a.plane, KH, KW, OH, OW, a.grad, s.wt, s.rows);
  else convInputGrad(o.grad, Co, R, s.w, a.C, N, a.H, a.rowW, a.plane, KH, KW, OH, OW, a.grad);
}

export function poolForward(stage: usize): void {
  const s = changetype<PoolStage>(stage), a = s.a, o = s.o;
  poolWindows(a.at, a.C, s.N, a.H, a.rowW, a.plane, s.PH, s.PW, o.at, o.plane, s.arg);
}

export function poolBackward(stage: usize): void {
  const s = changetype<PoolStage>(stage), a = s.a, o = s.o;
  poolScatter(o.grad, s.arg, o.at, s.relu != 0, a.C, s.N, a.H, a.W, a.rowW, a.plane, s.PH, s.PW, o.plane, a.grad, a.C * a.plane);
}

export function flattenForward(stage: usize): void {
  const s = changetype<FlattenStage>(stage), a = s.a;
  if (a.rows == 0) nhwc(s.o.at, s.N, a.H, a.W, a.C, a.rowW, a.plane, a.at, false);
}

export function flattenBackward(stage: usize): void {
  const s = changetype<FlattenStage>(stage), a = s.a;
  if (a.rows == 0) nhwc(s.o.grad, s.N, a.H, a.W, a.C, a.rowW, a.plane, a.grad, true);
}

export function denseForward(stage: usize): void {
  const s = changetype<DenseStage>(stage);
  denseProducts(s.a.at, s.N, s.I, s.w, s.O, s.b, s.relu != 0, s.o.at);
}

export function denseBackward(stage: usize): void {
  const s = changetype<DenseStage>(stage), a = s.a, o = s.o, N = s.N, I = s.I, O = s.O;
  if (s.relu != 0) reluMaskAny(o.grad, o.at, N * O);
  denseFilterGrad(a.at, o.grad, N, I, O, s.dw, s.db);
  if (s.needInput != 0) denseInputGrad(o.grad, N, O, s.w, I, a.grad);
}
