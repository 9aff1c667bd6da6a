/**
 * How many separate characters a picture clearly holds, without the network: the line's glyphs, with
 * neighbours closer than a small gap counted as one. It is a hint (for "this holds several digits, read
 * it as a line"), not a reading.
 */
import { findInk, type InkMap, type InkOptions } from '../ink/find.js';
import type { GrayImage } from '../ink/image.js';
import { COUNT } from '../reader-thresholds.js';
import { glyphHeight, xGap } from './glyph.js';
import { findLine } from './line.js';

/**
 * Characters `map` clearly holds: 1 for a single digit (broken or not), n for n well separated digits,
 * and the number of marks when they do not form one line.
 */
export function countCharacters(map: InkMap): number {
  // One piece of ink is its own line and its own character height, so findLine would find the one glyph.
  if (map.ink.length === 1) return 1;
  const line = findLine(map);
  if (!line.ok) return map.ink.length;
  const { glyphs, height } = line;
  if (glyphs.length === 0) return 0;
  // Only tall glyphs are clearly characters; small ones are pieces or marks that may belong to a neighbour.
  const tall = glyphs.filter((g) => glyphHeight(g) >= COUNT.tall * height);
  const gap = (tall.length >= 3 ? COUNT.closeGap : COUNT.clearGap) * height;
  let n = tall.length ? 1 : 0;
  for (let i = 1; i < tall.length; i++) if (xGap(tall[i - 1], tall[i]) >= gap) n++;
  return n;
}

/**
 * Characters a picture clearly holds, found the way preprocessing and the line reader find ink: 0 for a
 * blank picture, null when ink is all over it (see findInk's refusals).
 * @throws RangeError when `img` is malformed.
 */
export function countCharactersIn(img: GrayImage, options: InkOptions = {}): number | null {
  const found = findInk(img, options);
  if (found.ok) return countCharacters(found.map);
  return found.reason === 'no-ink' ? 0 : null;
}
