/**
 * Stylised 7x12 bitmaps of the ten digits, the fixed targets of LeNet-5's RBF output layer: '#' is ink
 * (+1), '.' is background (-1). Drawn for this project in the spirit of the 1998 paper: a 7-wide,
 * 12-high grid with a blank top and bottom row, one-pixel strokes, shapes kept apart so that no two
 * targets are close (the test checks the smallest Hamming distance).
 */
export const DIGIT_BITMAPS: readonly (readonly string[])[] = [
  [
    // 0
    '.......',
    '..###..',
    '.#...#.',
    '#.....#',
    '#.....#',
    '#.....#',
    '#.....#',
    '#.....#',
    '#.....#',
    '.#...#.',
    '..###..',
    '.......',
  ],
  [
    // 1
    '.......',
    '...#...',
    '..##...',
    '.#.#...',
    '...#...',
    '...#...',
    '...#...',
    '...#...',
    '...#...',
    '...#...',
    '.#####.',
    '.......',
  ],
  [
    // 2
    '.......',
    '..###..',
    '.#...#.',
    '#.....#',
    '......#',
    '.....#.',
    '....#..',
    '...#...',
    '..#....',
    '.#.....',
    '#######',
    '.......',
  ],
  [
    // 3
    '.......',
    '.#####.',
    '#.....#',
    '......#',
    '......#',
    '..####.',
    '......#',
    '......#',
    '......#',
    '#.....#',
    '.#####.',
    '.......',
  ],
  [
    // 4
    '.......',
    '....#..',
    '...##..',
    '..#.#..',
    '.#..#..',
    '#...#..',
    '#######',
    '....#..',
    '....#..',
    '....#..',
    '....#..',
    '.......',
  ],
  [
    // 5
    '.......',
    '#######',
    '#......',
    '#......',
    '#####..',
    '.....#.',
    '......#',
    '......#',
    '......#',
    '#....#.',
    '.####..',
    '.......',
  ],
  [
    // 6
    '.......',
    '...##..',
    '..#....',
    '.#.....',
    '#......',
    '#.###..',
    '##...#.',
    '#.....#',
    '#.....#',
    '.#...#.',
    '..###..',
    '.......',
  ],
  [
    // 7
    '.......',
    '#######',
    '......#',
    '.....#.',
    '.....#.',
    '....#..',
    '....#..',
    '...#...',
    '...#...',
    '..#....',
    '..#....',
    '.......',
  ],
  [
    // 8
    '.......',
    '..###..',
    '.#...#.',
    '#.....#',
    '.#...#.',
    '..###..',
    '.#...#.',
    '#.....#',
    '#.....#',
    '.#...#.',
    '..###..',
    '.......',
  ],
  [
    // 9
    '.......',
    '..###..',
    '.#...#.',
    '#.....#',
    '#.....#',
    '.#...##',
    '..###.#',
    '......#',
    '.....#.',
    '....#..',
    '..##...',
    '.......',
  ],
];

/**
 * Turn bitmaps into RBF centres: one row of +1/-1 per bitmap, read row by row.
 * @throws Error when bitmaps differ in size or hold a character other than '#' and '.'.
 */
export function bitmapsToCentres(bitmaps: readonly (readonly string[])[]): {
  centres: Float32Array;
  count: number;
  length: number;
} {
  if (bitmaps.length === 0) throw new Error('RBF bitmaps: expected at least one bitmap');
  const length = bitmaps[0].join('').length;
  const centres = new Float32Array(bitmaps.length * length);
  bitmaps.forEach((rows, k) => {
    const flat = rows.join('');
    if (flat.length !== length)
      throw new Error(`RBF bitmap ${k}: expected ${length} pixels like bitmap 0, got ${flat.length}`);
    for (let j = 0; j < length; j++) {
      const ch = flat[j];
      if (ch !== '#' && ch !== '.')
        throw new Error(`RBF bitmap ${k}: pixel ${j} is '${ch}'; expected '#' (ink) or '.' (background)`);
      centres[k * length + j] = ch === '#' ? 1 : -1;
    }
  });
  return { centres, count: bitmaps.length, length };
}
