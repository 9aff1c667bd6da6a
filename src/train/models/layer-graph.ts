/**
 * The layer graph of a saved functional model, checked before tfjs builds it. tfjs rebuilds a functional model by
 * queueing every layer call and retrying the queue until it is empty; a call that can never be made (its inputs
 * form a loop, name a layer that does not exist, or a call that never happens) keeps the queue non-empty and the
 * process spins forever. Replaying the same queue here, on names and counts only, finds those calls first.
 */
import { UserError } from '../../errors.js';

/** One input of a layer call: the layer, which of its calls, which of that call's outputs. */
interface Inbound {
  layer: string;
  node: number;
}

interface LayerEntry {
  name: string;
  className: string;
  /** Each call of the layer, as its list of inputs. */
  calls: Inbound[][];
}

/** Containers holding more than this many layers are refused before any replay. */
export const MAX_LAYERS = 10_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Check the layer graph of a LayersModel topology (the `modelTopology` of a `model.json`), nested models included:
 * every layer call's inputs exist and can be computed before it, so tfjs' rebuild terminates.
 * @param topology the `modelTopology` object as parsed from JSON.
 * @param file the model.json, named in errors.
 * @throws UserError naming the layers of a cycle, an input that names no layer, or a malformed `inbound_nodes`.
 */
export function checkLayerGraph(topology: unknown, file: string): void {
  if (!isRecord(topology)) throw new UserError(`model '${file}': 'modelTopology' is not an object; re-train or re-export the model`);
  // Keras' own files wrap the model in model_config; tfjs accepts both.
  const model = isRecord(topology.model_config) ? topology.model_config : topology;
  checkContainer(model, file, 0);
}

function checkContainer(model: Record<string, unknown>, file: string, depth: number): void {
  if (depth > 16) throw new UserError(`model '${file}': models nested more than 16 deep; re-train or re-export the model`);
  const config = model.config;
  const layers = isRecord(config) ? config.layers : Array.isArray(config) ? config : undefined;
  if (layers === undefined) return;
  if (!Array.isArray(layers)) throw new UserError(`model '${file}': 'layers' of model '${String(isRecord(config) ? config.name : '?')}' is not a list; re-train or re-export the model`);
  if (layers.length > MAX_LAYERS) throw new UserError(`model '${file}': ${layers.length} layers, over the ${MAX_LAYERS} this program builds; re-train or re-export the model`);
  const entries: LayerEntry[] = [];
  const seen = new Set<string>();
  for (const [i, layer] of layers.entries()) {
    if (!isRecord(layer)) throw new UserError(`model '${file}': layer ${i} is not an object; re-train or re-export the model`);
    // tfjs turns snake_case keys into camelCase before reading them, so both spellings reach it
    const classField = layer.class_name ?? layer.className;
    const className = typeof classField === 'string' ? classField : '';
    const layerConfig = isRecord(layer.config) ? layer.config : {};
    // tfjs looks a layer up by this name and queues its calls by the name in its config: a layer without the one,
    // or with the two disagreeing or taken twice, has calls that are queued where nothing ever looks
    // A Sequential's layers (as tfjs and Keras save them) carry their name in the config alone.
    const name = layer.name ?? (model.class_name === 'Sequential' || model.className === 'Sequential' ? layerConfig.name : undefined);
    if (typeof name !== 'string' || name === '') throw new UserError(`model '${file}': layer ${i} has no name; re-train or re-export the model`);
    if (layerConfig.name !== undefined && layerConfig.name !== name) {
      throw new UserError(`model '${file}': layer '${name}' is called ${JSON.stringify(layerConfig.name)} in its config; the two names must agree: re-train or re-export the model`);
    }
    if (seen.has(name)) throw new UserError(`model '${file}': two layers are named '${name}'; layer names must be unique: re-train or re-export the model`);
    checkSizes(layerConfig, name, file);
    if (isRecord(layer.config) && (Array.isArray(layer.config.layers))) checkContainer(layer, file, depth + 1);
    seen.add(name);
    entries.push({ name, className, calls: readCalls(layer.inbound_nodes ?? layer.inboundNodes, name, file) });
  }
  // A Sequential model's layers are chained in list order; only functional ones carry inbound_nodes.
  if (!entries.some((e) => e.calls.length > 0)) return;
  replay(entries, file);
}

/** Largest value of a size field in a layer's config: far above any digit network, far below a memory bomb. */
const MAX_SIZE_FIELD = 4096;
/** Config fields that size a layer's weights or its input; tfjs allocates from them before any weight is read. */
const SIZE_FIELDS = ['units', 'filters', 'kernel_size', 'kernelSize', 'pool_size', 'poolSize', 'batch_input_shape', 'batchInputShape', 'input_shape', 'inputShape', 'input_dim', 'inputDim', 'output_dim', 'outputDim', 'target_shape', 'targetShape'];

/** A layer whose config asks for sizes no digit model has is refused before tfjs allocates them. */
function checkSizes(config: Record<string, unknown>, layer: string, file: string): void {
  for (const field of SIZE_FIELDS) {
    const v = config[field];
    const values = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    for (const x of values) {
      if (x === null) continue;
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > MAX_SIZE_FIELD) {
        throw new UserError(`model '${file}': layer '${layer}' has ${field} ${JSON.stringify(v)}; expected whole numbers up to ${MAX_SIZE_FIELD}: re-train or re-export the model`);
      }
    }
  }
}

function readCalls(inbound: unknown, layer: string, file: string): Inbound[][] {
  if (inbound === undefined) return [];
  const bad = (what: string) => new UserError(`model '${file}': layer '${layer}' has malformed inbound_nodes (${what}); re-train or re-export the model`);
  if (!Array.isArray(inbound)) throw bad('not a list');
  return inbound.map((call) => {
    if (!Array.isArray(call)) throw bad('a call is not a list');
    return call.map((input) => {
      if (!Array.isArray(input) || typeof input[0] !== 'string' || !isIndex(input[1]) || !isIndex(input[2])) {
        throw bad('expected [layer name, call index, output index, {}] for each input');
      }
      return { layer: input[0], node: input[1] };
    });
  });
}

/**
 * Run tfjs' queue on counts: an input layer exists with one call from the start; a layer call can be made once
 * every input layer has been called more times than the index it names, and each call made adds one. Calls left
 * over when nothing more can be made are the ones tfjs would retry forever.
 */
function replay(entries: LayerEntry[], file: string): void {
  const byName = new Map<string, LayerEntry>();
  for (const e of entries) if (!byName.has(e.name)) byName.set(e.name, e);
  for (const e of entries) {
    for (const call of e.calls) {
      for (const input of call) {
        if (!byName.has(input.layer)) {
          throw new UserError(`model '${file}': layer '${e.name}' takes its input from '${input.layer}', which is not a layer of the model; re-train or re-export the model`);
        }
      }
    }
  }
  const made = new Map<string, number>(entries.map((e) => [e.name, 0]));
  for (const e of entries) if (e.className === 'InputLayer' && e.calls.length === 0) made.set(e.name, 1);
  // Calls waiting on a layer, woken each time that layer is called once more.
  const waiting = new Map<string, Array<{ entry: LayerEntry; call: Inbound[] }>>();
  const pending = new Set<Inbound[]>();
  const ready: Array<{ entry: LayerEntry; call: Inbound[] }> = [];
  const tryCall = (entry: LayerEntry, call: Inbound[]) => {
    const missing = call.find((input) => made.get(input.layer)! <= input.node);
    if (missing) {
      const list = waiting.get(missing.layer) ?? [];
      list.push({ entry, call });
      waiting.set(missing.layer, list);
    } else ready.push({ entry, call });
  };
  for (const e of entries) for (const call of e.calls) { pending.add(call); tryCall(e, call); }
  while (ready.length > 0) {
    const { entry, call } = ready.pop()!;
    pending.delete(call);
    // a call without inputs makes no call of the layer (tfjs skips it)
    if (call.length === 0) continue;
    made.set(entry.name, made.get(entry.name)! + 1);
    const woken = waiting.get(entry.name);
    if (woken) {
      waiting.delete(entry.name);
      for (const w of woken) tryCall(w.entry, w.call);
    }
  }
  if (pending.size === 0) return;
  const stuck = entries.filter((e) => e.calls.some((c) => pending.has(c)));
  const cycle = findCycle(stuck, pending);
  if (cycle) {
    throw new UserError(`model '${file}': the layers form a cycle (${cycle.join(' -> ')}), so none of them can ever be computed; re-train or re-export the model`);
  }
  const e = stuck[0];
  const call = e.calls.find((c) => pending.has(c))!;
  const input = call.find((i) => made.get(i.layer)! <= i.node) ?? call[0];
  throw new UserError(`model '${file}': layer '${e.name}' takes call ${input.node} of layer '${input.layer}', which is called only ${made.get(input.layer)} time(s); re-train or re-export the model`);
}

/** A loop among the stuck layers' inputs, as layer names with the first repeated at the end; iterative (deep graphs). */
function findCycle(stuck: LayerEntry[], pending: Set<Inbound[]>): string[] | undefined {
  const names = new Set(stuck.map((e) => e.name));
  const edges = new Map<string, string[]>();
  for (const e of stuck) {
    const inputs = e.calls.filter((c) => pending.has(c)).flat().map((i) => i.layer).filter((n) => names.has(n));
    edges.set(e.name, [...(edges.get(e.name) ?? []), ...inputs]);
  }
  const state = new Map<string, 1 | 2>();
  for (const start of names) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const next: number[] = [0];
    state.set(start, 1);
    while (path.length > 0) {
      const at = path[path.length - 1];
      const outs = edges.get(at) ?? [];
      const k = next[next.length - 1]++;
      if (k >= outs.length) {
        state.set(at, 2);
        path.pop();
        next.pop();
        continue;
      }
      const to = outs[k];
      if (state.get(to) === 1) {
        // edges point from a layer to its inputs; read the loop in data-flow order
        return [...path.slice(path.indexOf(to)), to].reverse();
      }
      if (!state.has(to)) {
        state.set(to, 1);
        path.push(to);
        next.push(0);
      }
    }
  }
  return undefined;
}
