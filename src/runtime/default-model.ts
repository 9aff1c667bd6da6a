/**
 * Default model of `predict`, `read`, `evaluate`, `serve` and the widget's build: the committed LeNet-5 trained
 * for 20 epochs (`npm run models`), not the 5-epoch one of the coursework recipe, because reading numbers needs
 * every digit right and the longer-trained model misreads fewer (docs/training.md). A file of its own, with no
 * imports, so the web build can read it without loading onnxruntime.
 */
export const DEFAULT_ONNX_MODEL = 'models/lenet5-e20.onnx';

/** The int8 file `export --quantize int8` writes beside {@link DEFAULT_ONNX_MODEL}. */
export const DEFAULT_INT8_MODEL = DEFAULT_ONNX_MODEL.replace(/\.onnx$/, '.int8.onnx');
