/**
 * Where the widget finds onnxruntime-web and its default models. By default a bundler resolves both: the
 * runtime through the `onnxruntime-web/wasm` (and, when asked for, `onnxruntime-web/webgpu`) imports, the models
 * through `new URL('./….onnx', import.meta.url)` next to this module. {@link setAssetPaths} points either
 * elsewhere: a self-hosted folder, a CDN.
 */

/** Settings a host may change before the first pad loads its model. */
export interface AssetPaths {
  /**
   * Folder (URL ending in `/`) holding onnxruntime-web's `dist/` files: `ort.wasm.min.mjs`,
   * `ort-wasm-simd-threaded.mjs` and `.wasm`, and for WebGPU `ort.webgpu.min.mjs` and the `asyncify` pair.
   * Unset: the `onnxruntime-web/wasm` import, resolved by the host's bundler or import map.
   */
  ort?: string | URL;
  /** Default model of digit and number pads (a pad's `model` attribute wins). */
  model?: string | URL;
  /** Default model of expression pads (a pad's `model` attribute wins). */
  arithmeticModel?: string | URL;
}

interface Resolved {
  ort: string | null;
  model: string;
  arithmeticModel: string;
}

const settings: Resolved = {
  ort: null,
  model: new URL('./lenet5.onnx', import.meta.url).href,
  arithmeticModel: new URL('./arithmetic.onnx', import.meta.url).href,
};

function absolute(name: string, value: string | URL): string {
  try {
    return new URL(String(value), document.baseURI).href;
  } catch {
    throw new TypeError(
      `setAssetPaths: ${name} must be a URL (absolute or relative to the page), got '${String(value)}'`,
    );
  }
}

/**
 * Point the widget at self-hosted or CDN copies of its files. Call it before the first pad loads its model;
 * pads already loaded keep theirs. Relative URLs resolve against the page.
 * @example setAssetPaths({ ort: 'https://cdn.jsdelivr.net/npm/onnxruntime-web@1.30.0/dist/' })
 */
export function setAssetPaths(paths: AssetPaths): void {
  if (paths === null || typeof paths !== 'object') {
    throw new TypeError(`setAssetPaths: expected an object with ort, model or arithmeticModel, got ${String(paths)}`);
  }
  const unknown = Object.keys(paths).filter((k) => !['ort', 'model', 'arithmeticModel'].includes(k));
  if (unknown.length > 0) {
    throw new TypeError(`setAssetPaths: unknown setting '${unknown[0]}'; valid: ort, model, arithmeticModel`);
  }
  if (paths.ort !== undefined) {
    const folder = absolute('ort', paths.ort);
    settings.ort = folder.endsWith('/') ? folder : folder + '/';
  }
  if (paths.model !== undefined) settings.model = absolute('model', paths.model);
  if (paths.arithmeticModel !== undefined)
    settings.arithmeticModel = absolute('arithmeticModel', paths.arithmeticModel);
}

/** The folder set for onnxruntime-web's files, or null to import it by name. */
export function ortFolder(): string | null {
  return settings.ort;
}

/** The default model for a pad mode. */
export function defaultModelUrl(expression: boolean): string {
  return expression ? settings.arithmeticModel : settings.model;
}
