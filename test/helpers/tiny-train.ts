/** The arguments of the smallest `train` run that still writes a whole model: one epoch on 300 images. */
export function tinyTrainArgs(out: string): string[] {
  return [
    'train',
    '--out',
    out,
    '--epochs',
    '1',
    '--limit',
    '300',
    '--validation-size',
    '100',
    '--batch-size',
    '50',
    '--workers',
    '1',
    '--no-augment',
  ];
}
