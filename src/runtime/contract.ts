/**
 * The model's input contract: what a caller must feed the network and how to read its output.
 *
 * It is written exactly once, by training, into the model itself (tfjs `userDefinedMetadata`, then ONNX
 * `metadata_props` on export). Every consumer (CLI, widget) reads it from the model with
 * {@link contractFromMetadata}; nothing else restates these numbers.
 *
 * Shared code: no Node and no DOM imports (the browser widget bundles this file).
 */

/** Where the ink is in the pixel range: `high` = ink is the maximum value (MNIST: white digit on black). */
export type InkPolarity = 'high' | 'low';

/** The typed input contract of a digit model. */
export interface InputContract {
  /** Name of the graph input tensor (ONNX). */
  inputName: string;
  /** Name of the graph output tensor (ONNX): probabilities, one per label. */
  outputName: string;
  /** Memory layout of the input tensor: ONNX models take NCHW. */
  layout: 'NCHW' | 'NHWC';
  /** Picture height and width in pixels, and channel count. */
  height: number;
  width: number;
  channels: number;
  /** Range of the pixel values the model expects, e.g. [0, 1]. */
  pixelRange: [number, number];
  /** Ink polarity the model expects. */
  ink: InkPolarity;
  /** Normalisation the graph applies itself, recorded for information: (x - mean) / std. */
  mean: number;
  std: number;
  /** Class labels in output order. */
  labels: string[];
  /**
   * The label, among `labels`, whose output says "not one character" (half a digit, two touching digits, a
   * stray stroke): readers refuse a crop by it, and `predict` answers among the other labels. Absent for
   * models trained without it.
   */
  rejectLabel?: string;
}

/** Metadata key prefix for contract entries, so they never collide with provenance entries. */
export const CONTRACT_PREFIX = 'contract.';

/** True for a label that names a digit (label sets may hold other symbols, such as operators). */
export function isDigitLabel(label: string): boolean {
  return label.length === 1 && label >= '0' && label <= '9';
}

const KEYS = {
  inputName: 'input_name',
  outputName: 'output_name',
  layout: 'input_layout',
  shape: 'input_shape',
  pixelRange: 'pixel_range',
  ink: 'ink',
  mean: 'normalization_mean',
  std: 'normalization_std',
  labels: 'labels',
  rejectLabel: 'reject_label',
} as const;

/**
 * Bounds on what a contract may claim. Consumers allocate batches from these numbers before the model runs, so a
 * claim far beyond any digit model must be refused here rather than fail as an allocation.
 */
export const CONTRACT_LIMITS = { maxSide: 4096, maxChannels: 4, maxLabels: 1000 } as const;

/** Thrown when metadata does not hold a valid contract. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
  }
}

/** Serialise a contract into string key/value pairs (ONNX `metadata_props`, tfjs user metadata). */
export function contractToMetadata(c: InputContract): Record<string, string> {
  const dims = inputShape(c, 1).slice(1);
  const out: Record<string, string> = {
    [KEYS.inputName]: c.inputName,
    [KEYS.outputName]: c.outputName,
    [KEYS.layout]: c.layout,
    [KEYS.shape]: ['N', ...dims].join(','),
    [KEYS.pixelRange]: c.pixelRange.join(','),
    [KEYS.ink]: c.ink,
    [KEYS.mean]: String(c.mean),
    [KEYS.std]: String(c.std),
    [KEYS.labels]: c.labels.join(','),
  };
  if (c.rejectLabel !== undefined) out[KEYS.rejectLabel] = c.rejectLabel;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [CONTRACT_PREFIX + k, v]));
}

function num(value: string | undefined, key: string): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n)) {
    throw new ContractError(`metadata '${CONTRACT_PREFIX}${key}': expected a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Read and validate a contract from metadata (ONNX `metadata_props` as a map, or tfjs user metadata).
 * @throws ContractError naming the missing or malformed key.
 */
export function contractFromMetadata(meta: Record<string, string>): InputContract {
  const get = (key: string): string => {
    const v = meta[CONTRACT_PREFIX + key];
    if (v === undefined) {
      throw new ContractError(
        `metadata has no '${CONTRACT_PREFIX}${key}': this model carries no lenet-onnx input contract`,
      );
    }
    return v;
  };
  const layout = get(KEYS.layout);
  if (layout !== 'NCHW' && layout !== 'NHWC') {
    throw new ContractError(`metadata '${CONTRACT_PREFIX}${KEYS.layout}': expected NCHW or NHWC, got '${layout}'`);
  }
  const shape = get(KEYS.shape).split(',');
  if (shape.length !== 4) {
    throw new ContractError(
      `metadata '${CONTRACT_PREFIX}${KEYS.shape}': expected 4 dimensions like N,1,28,28, got '${shape.join(',')}'`,
    );
  }
  const dims = shape.slice(1).map((d) => num(d, KEYS.shape));
  const [channels, height, width] = layout === 'NCHW' ? dims : [dims[2], dims[0], dims[1]];
  const within = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (
    !within(height, 1, CONTRACT_LIMITS.maxSide) ||
    !within(width, 1, CONTRACT_LIMITS.maxSide) ||
    !within(channels, 1, CONTRACT_LIMITS.maxChannels)
  ) {
    throw new ContractError(
      `metadata '${CONTRACT_PREFIX}${KEYS.shape}': '${shape.join(',')}' is out of bounds: expected whole numbers, 1-${CONTRACT_LIMITS.maxChannels} channels and sides of 1-${CONTRACT_LIMITS.maxSide} pixels`,
    );
  }
  const range = get(KEYS.pixelRange)
    .split(',')
    .map((v) => num(v, KEYS.pixelRange));
  if (range.length !== 2 || !(range[0] < range[1])) {
    throw new ContractError(`metadata '${CONTRACT_PREFIX}${KEYS.pixelRange}': expected 'min,max' with min < max`);
  }
  const ink = get(KEYS.ink);
  if (ink !== 'high' && ink !== 'low') {
    throw new ContractError(`metadata '${CONTRACT_PREFIX}${KEYS.ink}': expected high or low, got '${ink}'`);
  }
  const labels = get(KEYS.labels).split(',');
  if (labels.length > CONTRACT_LIMITS.maxLabels || labels.some((l) => l === '')) {
    throw new ContractError(
      `metadata '${CONTRACT_PREFIX}${KEYS.labels}': expected 1-${CONTRACT_LIMITS.maxLabels} non-empty labels, got ${labels.length}${labels.some((l) => l === '') ? ' with an empty one' : ''}`,
    );
  }
  const rejectLabel = meta[CONTRACT_PREFIX + KEYS.rejectLabel];
  if (rejectLabel !== undefined && !labels.includes(rejectLabel)) {
    throw new ContractError(
      `metadata '${CONTRACT_PREFIX}${KEYS.rejectLabel}': '${rejectLabel}' is not one of the labels (${labels.join(', ')})`,
    );
  }
  const std = num(get(KEYS.std), KEYS.std);
  if (std <= 0) throw new ContractError(`metadata '${CONTRACT_PREFIX}${KEYS.std}': expected > 0, got ${std}`);
  return {
    inputName: get(KEYS.inputName),
    outputName: get(KEYS.outputName),
    layout,
    height,
    width,
    channels,
    pixelRange: [range[0], range[1]],
    ink,
    mean: num(get(KEYS.mean), KEYS.mean),
    std,
    labels,
    ...(rejectLabel !== undefined ? { rejectLabel } : {}),
  };
}

/** Output index of the contract's "not one character" label, or -1 when the model has none. */
export function rejectIndex(c: InputContract): number {
  return c.rejectLabel === undefined ? -1 : c.labels.indexOf(c.rejectLabel);
}

/** True for the labels a reader may answer: every label but the "not one character" one. */
export function answerLabels(c: InputContract): boolean[] {
  const reject = rejectIndex(c);
  return c.labels.map((_, i) => i !== reject);
}

/**
 * The input tensor's dimensions for a batch of `n` pictures, in the contract's layout: the one place that
 * turns a contract into a shape, for the Node runtime, the widget, the server and the exporter.
 */
export function inputShape(c: InputContract, n: number): number[] {
  return c.layout === 'NCHW' ? [n, c.channels, c.height, c.width] : [n, c.height, c.width, c.channels];
}

/**
 * Where ink lies in the contract's pixel range: `background` (no ink) and `ink` (full ink) are its two ends, as
 * `contract.ink` orders them, and a strength `s` in 0..1 is the value `background + s * span`. The one place
 * that turns a strength into an input value and back (fitting, the second look, `evaluate`, the widget's
 * self-check).
 */
export function inkScale(c: InputContract): { background: number; ink: number; span: number } {
  const [lo, hi] = c.pixelRange;
  return c.ink === 'high' ? { background: lo, ink: hi, span: hi - lo } : { background: hi, ink: lo, span: lo - hi };
}

/** Values one picture takes in the input tensor. */
export function pictureSize(c: InputContract): number {
  return c.height * c.width * c.channels;
}
