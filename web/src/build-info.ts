// Replaced at bundle time by web/build.mjs with the onnxruntime-web version whose files it ships.
declare const __ORT_VERSION__: string;

/** The onnxruntime-web version the shipped ort/ files come from; the loaded module must report the same. */
export const ORT_VERSION: string = typeof __ORT_VERSION__ === 'string' ? __ORT_VERSION__ : 'unknown';
