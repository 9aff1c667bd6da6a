// Importing this module registers every custom layer with tfjs serialization, so saved models that use
// them load anywhere (training, export, verification).
export { Standardize } from './standardize.js';
