/** A rectangle in picture pixels: `x`, `y` of the top-left pixel, both inclusive, and its size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One generated evaluation picture with its ground truth. `boxes[i]` is the ink of the digit `text[i]`
 * (left to right), so `boxes.length === text.length`.
 */
export interface GeneratedPicture {
  bytes: Buffer;
  format: 'jpeg' | 'png';
  /** The digits the picture shows, left to right. */
  text: string;
  boxes: Box[];
  width: number;
  height: number;
}
