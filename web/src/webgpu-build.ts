/**
 * The opt-in slot for onnxruntime-web's WebGPU build. Its wasm is larger than the WASM build's, so a page pays
 * for it (and a bundler copies it) only when it imports `lenet-onnx-widget/webgpu`, which fills this slot.
 * A global, not module state: that entry is bundled on its own and may sit beside another copy of the element.
 */
import type * as Ort from 'onnxruntime-web';

type Importer = () => Promise<typeof Ort>;

const SLOT = Symbol.for('lenet-onnx-widget.webgpu');

/** Called by the `webgpu` entry with its `import('onnxruntime-web/webgpu')`. */
export function registerWebGpuBuild(importer: Importer): void {
  (globalThis as Record<symbol, unknown>)[SLOT] = importer;
}

/** The WebGPU build's importer, or null when the page did not ask for WebGPU. */
export function webGpuBuild(): Importer | null {
  const v = (globalThis as Record<symbol, unknown>)[SLOT];
  return typeof v === 'function' ? (v as Importer) : null;
}
