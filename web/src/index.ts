import { LenetDigitPad } from './lenet-digit-pad.js';

export { LenetDigitPad };
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

// Importing the module twice (or next to another copy) must not throw: define the element once.
if (!customElements.get('lenet-digit-pad')) customElements.define('lenet-digit-pad', LenetDigitPad);
