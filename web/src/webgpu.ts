/**
 * `import 'lenet-onnx-widget/webgpu'`: let pads whose `backend` is `auto` or `webgpu` run on WebGPU when the
 * browser grants an adapter. Without it every pad runs on WASM and the WebGPU build is never downloaded.
 */
import { registerWebGpuBuild } from './webgpu-build.js';

registerWebGpuBuild(() => import('onnxruntime-web/webgpu'));
