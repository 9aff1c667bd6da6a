import type { InputContract } from '../../runtime/contract.js';

/**
 * The one place the MNIST input contract is written. Training bakes it into the model graph
 * (padding to 32x32 and {@link Standardize}) and into the saved model's metadata; everything
 * downstream reads it back from the model.
 */
export const MNIST_CONTRACT: InputContract = {
  inputName: 'image',
  outputName: 'probabilities',
  layout: 'NHWC',
  height: 28,
  width: 28,
  channels: 1,
  pixelRange: [0, 1],
  ink: 'high',
  // Mean and standard deviation of the 60,000 MNIST training pixels scaled to [0, 1].
  mean: 0.1307,
  std: 0.3081,
  labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

/** Side length the LeNet-5 layers were designed for; the model pads the 28x28 picture to it. */
export const LENET_SIDE = 32;
