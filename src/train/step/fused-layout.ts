import type { Stage } from './chain-step.js';
import { kernelStage, type Activation, type LayoutContext, type StageFields } from './kernel-stages.js';

export type { Activation } from './kernel-stages.js';

/** A stage's buffers and the struct its kernels read them from. */
export interface StageLayout {
  kind: Stage['kind'];
  /** Byte offset of the stage's struct. */
  struct: number;
  fields: StageFields;
}

export interface FusedLayout {
  N: number;
  /** The prepared input, NHWC rows. */
  input: number;
  /** Floats per prepared input row. */
  inputRow: number;
  /** Byte offset of the struct that turns the input rows into the first map (when the first stage takes a map). */
  inputStruct: number;
  /** The activation entering each stage, then the one leaving the last (length stages + 1). */
  acts: Activation[];
  /** Byte offset of each activation's struct (same index). */
  actStructs: number[];
  stages: StageLayout[];
  /** Bytes in all (the end of the last buffer). */
  end: number;
}

/** Stages our kernels can run; the others go to the tfjs chain step. */
export function ownKernelsRefuse(stages: Stage[], inputRank: number): string | undefined {
  for (const s of stages) {
    const refused = kernelStage(s).refuse(s);
    if (refused) return refused;
  }
  if ((stages[0].kind === 'conv' || stages[0].kind === 'pool') && inputRank !== 4)
    return 'the first layer does not take pictures';
  return undefined;
}

const up = (v: number, m: number) => Math.ceil(v / m) * m;
const SLACK = 64;

/** The fields of an activation's struct (kernels/stages.ts, `Act`), in order. */
const ACT_FIELDS = 9;
/** The fields every stage's struct starts with: N and its two activations. */
const STAGE_HEAD = 3;
/** The input struct: N, the input rows, the first map. */
const INPUT_FIELDS = 3;

/**
 * Lay out every buffer of a step on N rows from `base` (bytes, 16-aligned): weights, gradients,
 * activations and their gradients, each with slack for the vectors that run past a row's end (up to three
 * past the last row), then the structs the kernels read them from. `input` is the prepared input's shape
 * without the batch axis.
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
  const layouts: Array<Omit<StageLayout, 'struct'>> = [];
  let a: Activation;
  if (input.length === 3) {
    const [H, W, C] = input;
    const plane = N * H * W;
    a = { kind: 'map', C, H, W, rowW: W, plane, at: take(C * plane), grad: take(C * plane) };
  } else {
    a = { kind: 'rows', F: inputRow, at: input0, grad: take(N * inputRow) };
  }
  for (const [index, s] of stages.entries()) {
    acts.push(a);
    const c: LayoutContext = { N, take, stages, index };
    const { fields, next } = kernelStage(s).layout(s, a, c);
    layouts.push({ kind: s.kind, fields });
    a = next;
  }
  acts.push(a);
  // The structs, in ints: one per activation, one per stage, and the input's.
  const structAt = (ints: number) => take(ints);
  const actStructs = acts.map(() => structAt(ACT_FIELDS));
  const withStructs = layouts.map((l, i) => ({
    ...l,
    struct: structAt(STAGE_HEAD + kernelStage(stages[i]).fields.length),
  }));
  const inputStruct = structAt(INPUT_FIELDS);
  return { N, input: input0, inputRow, inputStruct, acts, actStructs, stages: withStructs, end };
}

/**
 * Write `L`'s structs into the kernels' memory. Again whenever another layout ran since: the layouts of all
 * batch sizes share the memory from the same base.
 */
export function writeStructs(i32: Int32Array, L: FusedLayout, stages: Stage[]): void {
  const at = (bytes: number) => bytes >> 2;
  L.acts.forEach((a, i) => {
    const p = at(L.actStructs[i]);
    if (a.kind === 'map') i32.set([0, a.C, a.H, a.W, a.rowW, a.plane, 0, a.at, a.grad], p);
    else i32.set([1, 0, 0, 0, 0, 0, a.F, a.at, a.grad], p);
  });
  L.stages.forEach((l, i) => {
    const names = kernelStage(stages[i]).fields;
    const p = at(l.struct);
    i32.set([L.N, L.actStructs[i], L.actStructs[i + 1]], p);
    names.forEach((name, j) => {
      const v = l.fields[name];
      if (v === undefined) throw new Error(`fused step: the ${l.kind} stage's layout has no field '${name}'`);
      i32[p + STAGE_HEAD + j] = v;
    });
  });
  i32.set([L.N, L.input, L.actStructs[0]], at(L.inputStruct));
}
