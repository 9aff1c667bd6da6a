import { LenetDigitPad } from './lenet-digit-pad.js';

export { LenetDigitPad };
export { setAssetPaths, type AssetPaths } from './assets.js';
export type {
  Prediction,
  NoInk,
  ReadyDetail,
  ErrorDetail,
  PadState,
  PadMode,
  LinePrediction,
  LineRefusal,
  ReadRowLike,
  LenetDigitPadEventMap,
} from './lenet-digit-pad.js';

declare global {
  interface HTMLElementTagNameMap {
    'lenet-digit-pad': LenetDigitPad;
  }
}

// Importing the module twice (or next to another copy) must not throw: define the element once.
if (!customElements.get('lenet-digit-pad')) customElements.define('lenet-digit-pad', LenetDigitPad);
