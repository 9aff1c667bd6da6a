// The resampling shortcuts of fit.ts (taps reused between crops, passes between equal sizes skipped) against the
// general two-pass resampling written out here as it was before them: every crop size up to 48 x 48, to the
// MNIST contract and to a larger one, must give the very same model input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputContract } from '../../src/runtime/contract.js';
import { fitToContract, MNIST_BOX_FRACTION, taps, type InkCrop } from '../../src/runtime/ink/fit.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';

const CONTRACT = { ...MNIST_CONTRACT, layout: 'NCHW' as const };

// ---- the general path, as fit.ts had it (the taps are fit.ts's own: only their use changed) ----
function generalFit(crop: InkCrop, contract: InputContract, boxFraction = MNIST_BOX_FRACTION): Float32Array {
  const { box, data, peak } = crop;
  const side = Math.min(contract.width, contract.height);
  const boxSide = Math.max(1, Math.round(side * boxFraction));
  const scale = boxSide / Math.max(box.width, box.height);
  const outW = Math.min(contract.width, Math.max(1, Math.round(box.width * scale)));
  const outH = Math.min(contract.height, Math.max(1, Math.round(box.height * scale)));
  const fitted = resample(data, box.width, box.height, outW, outH);
  for (let i = 0; i < fitted.length; i++) fitted[i] = Math.min(1, fitted[i] / peak);
  return placeByCentreOfMass(fitted, outW, outH, contract);
}

/** Resample a `srcW` x `srcH` float picture to outW x outH (horizontal pass, then vertical). */
function resample(src: Float32Array, srcW: number, srcH: number, outW: number, outH: number): Float32Array {
  const tx = taps(srcW, outW);
  const ty = taps(srcH, outH);
  const mid = new Float32Array(outW * srcH);
  for (let y = 0; y < srcH; y++) {
    const row = y * srcW;
    for (let o = 0; o < outW; o++) {
      const ws = tx.weights[o];
      const s = row + tx.start[o];
      let acc = 0;
      for (let k = 0; k < ws.length; k++) acc += ws[k] * src[s + k];
      mid[y * outW + o] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let o = 0; o < outH; o++) {
    const ws = ty.weights[o];
    const s = ty.start[o];
    for (let x = 0; x < outW; x++) {
      let acc = 0;
      for (let k = 0; k < ws.length; k++) acc += ws[k] * mid[(s + k) * outW + x];
      out[o * outW + x] = acc;
    }
  }
  return out;
}

/**
 * Paste the fitted character (values 0..1, ink high) into the model's field with a whole-pixel shift that
 * puts its centre of mass at pixel (width/2, height/2), MNIST's convention (0-based pixel indices), and map
 * it to the contract's pixel range and ink polarity. Whole-pixel shifts keep an MNIST digit's pixels
 * exactly; ink pushed outside the field is cut off, as in MNIST.
 */
function placeByCentreOfMass(fitted: Float32Array, fw: number, fh: number, c: InputContract): Float32Array {
  let mass = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const v = fitted[y * fw + x];
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  const cx = mass > 0 ? mx / mass : (fw - 1) / 2;
  const cy = mass > 0 ? my / mass : (fh - 1) / 2;
  const dx = Math.round(c.width / 2 - cx);
  const dy = Math.round(c.height / 2 - cy);
  const [lo, hi] = c.pixelRange;
  const background = c.ink === 'high' ? lo : hi;
  const out = new Float32Array(c.width * c.height).fill(background);
  const span = c.ink === 'high' ? hi - lo : lo - hi;
  for (let y = 0; y < fh; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= c.height) continue;
    for (let x = 0; x < fw; x++) {
      const tx = x + dx;
      if (tx < 0 || tx >= c.width) continue;
      out[ty * c.width + tx] = background + fitted[y * fw + x] * span;
    }
  }
  return out;
}

function crop(w: number, h: number, seed: number): InkCrop {
  let s = seed >>> 0 || 1;
  const data = new Float32Array(w * h);
  let peak = 0;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const u = (s >>> 0) / 4294967296;
    data[i] = u < 0.4 ? 0 : Math.fround(255 * u);
    if (data[i] > peak) peak = data[i];
  }
  return { box: { x: 0, y: 0, width: w, height: h }, data, peak: peak || 1 };
}

test('fitToContract equals the general resampling for every crop size up to 48 x 48', () => {
  const big: InputContract = { ...CONTRACT, width: 40, height: 40, pixelRange: [-1, 1], ink: 'low' };
  for (let w = 1; w <= 48; w++) {
    for (let h = 1; h <= 48; h++) {
      const c = crop(w, h, w * 100 + h);
      for (const contract of [CONTRACT, big]) {
        // twice: the second call takes its taps from the cache
        for (let pass = 0; pass < 2; pass++) {
          assert.deepEqual(
            fitToContract(c, contract),
            generalFit(c, contract, MNIST_BOX_FRACTION),
            `${w}x${h} to ${contract.width}x${contract.height}`,
          );
        }
      }
    }
  }
});

test('fitToContract leaves the crop it is given unchanged, also when no resampling is needed', () => {
  const c = crop(20, 14, 5);
  const before = Float32Array.from(c.data);
  fitToContract(c, CONTRACT);
  assert.deepEqual(c.data, before);
});
