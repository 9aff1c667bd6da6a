/**
 * The two weight layout conversions of the exporter, each in one place, so the exported graph needs no
 * Transpose node for them (see ARCHITECTURE.md, invariants).
 */

/**
 * Convolution kernel HWIO -> OIHW: tfjs stores [kh, kw, in, out], ONNX Conv wants [out, in, kh, kw].
 */
export function hwioToOihw(
  kernel: Float32Array,
  [kh, kw, cin, cout]: number[],
): { values: Float32Array; dims: number[] } {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          // HWIO -> OIHW
          out[((o * cin + i) * kh + y) * kw + x] = kernel[((y * kw + x) * cin + i) * cout + o];
        }
      }
    }
  }
  return { values: out, dims: [cout, cin, kh, kw] };
}

/**
 * Index map of a flattened feature map: position `p` of the NCHW flatten order holds the element at
 * `nhwcIndexOfNchw(p)` of the NHWC flatten order tfjs used.
 */
function nhwcIndexOfNchw(h: number, w: number, c: number): Int32Array {
  const map = new Int32Array(h * w * c);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) map[(ch * h + y) * w + x] = (y * w + x) * c + ch;
    }
  }
  return map;
}

/**
 * Rows of a Dense kernel [h*w*c, units] that follows a Flatten of an [h, w, c] map: tfjs flattened NHWC,
 * the ONNX graph flattens NCHW, so row `p` of the result is row `nhwcIndexOfNchw(p)` of the tfjs kernel.
 */
export function permuteDenseRowsNhwcToNchw(kernel: Float32Array, units: number, [h, w, c]: number[]): Float32Array {
  const map = nhwcIndexOfNchw(h, w, c);
  const out = new Float32Array(kernel.length);
  for (let p = 0; p < map.length; p++) {
    // NHWC flatten order -> NCHW flatten order
    out.set(kernel.subarray(map[p] * units, (map[p] + 1) * units), p * units);
  }
  return out;
}

/**
 * Dense kernel [in, out] (tfjs) -> [out, in], the layout Gemm reads with transB=1 (as PyTorch's Linear
 * stores it and other exporters write it).
 */
export function inOutToOutIn(kernel: Float32Array, [inFeatures, units]: number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let i = 0; i < inFeatures; i++) {
    for (let u = 0; u < units; u++) out[u * inFeatures + i] = kernel[i * units + u]; // [in, out] -> [out, in]
  }
  return out;
}

/** Per-feature vector (length h*w*c) of a flattened map, NHWC flatten order -> NCHW flatten order. */
export function permuteFeaturesNhwcToNchw(values: Float32Array, hwc: number[]): Float32Array {
  return permuteDenseRowsNhwcToNchw(values, 1, hwc);
}

/**
 * A 4-D array of dimensions `dims` with its axes reordered: output axis i is input axis `perm[i]`. The two
 * named layout changes below are its only callers.
 */
function permute4(data: Float32Array, dims: number[], perm: [number, number, number, number]): Float32Array {
  const inStride = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1];
  const [d0, d1, d2, d3] = perm.map((a) => dims[a]);
  const [s0, s1, s2, s3] = perm.map((a) => inStride[a]);
  const out = new Float32Array(data.length);
  let o = 0;
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      for (let k = 0; k < d2; k++) {
        const base = i * s0 + j * s1 + k * s2;
        for (let l = 0; l < d3; l++) out[o++] = data[base + l * s3];
      }
    }
  }
  return out;
}

/** Activations [n, h, w, c] -> [n, c, h, w] (feeding image batches to an ONNX graph with C > 1). */
export function nhwcToNchw(data: Float32Array, dims: number[]): Float32Array {
  return dims[3] === 1 ? data : permute4(data, dims, [0, 3, 1, 2]); // C = 1: same memory order
}

/** Activations [n, c, h, w] -> [n, h, w, c] (comparing a 4-D ONNX output with tfjs). */
export function nchwToNhwc(data: Float32Array, dims: number[]): Float32Array {
  return dims[1] === 1 ? data : permute4(data, dims, [0, 2, 3, 1]);
}

/**
 * Transposed-convolution kernel HWOI -> IOHW: tfjs stores [kh, kw, out, in], ONNX ConvTranspose wants
 * [in, out, kh, kw].
 */
export function hwoiToIohw(
  kernel: Float32Array,
  [kh, kw, cout, cin]: number[],
): { values: Float32Array; dims: number[] } {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let o = 0; o < cout; o++) {
        for (let i = 0; i < cin; i++)
          out[((i * cout + o) * kh + y) * kw + x] = kernel[((y * kw + x) * cout + o) * cin + i]; // HWOI -> IOHW
      }
    }
  }
  return { values: out, dims: [cin, cout, kh, kw] };
}

/**
 * A per-element parameter of a value (PReLU's slopes: tfjs shape without the batch axis) in the order the
 * graph holds that value: output axis i is input axis `perm[i]`.
 */
export function transposeParameter(data: Float32Array, dims: number[], perm: number[]): Float32Array {
  const rank = dims.length;
  const inStride = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const outDims = perm.map((a) => dims[a]);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += index[i] * inStride[perm[i]];
    out[o] = data[src];
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i] < outDims[i]) break;
      index[i] = 0;
    }
  }
  return out;
}
