import { LenetDigitPad } from './lenet-digit-pad.js';
import type { ErrorDetail, LinePrediction, Prediction, ReadyDetail } from './lenet-digit-pad.js';

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
} from './lenet-digit-pad.js';

/** The events a pad dispatches (they bubble and cross shadow roots), with their detail types. */
export interface LenetDigitPadEventMap {
  ready: CustomEvent<ReadyDetail>;
  error: CustomEvent<ErrorDetail>;
  prediction: CustomEvent<Prediction | LinePrediction>;
  clear: CustomEvent<undefined>;
}

declare global {
  interface HTMLElementTagNameMap {
    'lenet-digit-pad': LenetDigitPad;
  }
}

// Importing the module twice (or next to another copy) must not throw: define the element once.
if (!customElements.get('lenet-digit-pad')) customElements.define('lenet-digit-pad', LenetDigitPad);
