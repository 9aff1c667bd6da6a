/**
 * PNG rows: undoing the row filters, for a whole inflated image in memory or for rows as they come out of the
 * inflater. The second is how a large PNG is decoded: neither its inflated data nor a full-depth copy of it is
 * ever held, only two rows and the 8-bit samples kept, so decoding a picture at the size limit costs a fraction
 * of what inflating it whole did.
 */
import * as zlib from 'node:zlib';
import { PictureError } from './picture-error.js';

/** The shape of a plain PNG (not interlaced, no palette, no tRNS) that these functions decode. */
export interface PngRowShape {
  width: number;
  height: number;
  /** samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
  channels: number;
  /** bits per sample: 8 or 16 */
  depth: number;
}

/**
 * Undo one row's filter in place. `line` holds the filtered bytes and receives the unfiltered ones; `prev` is the
 * unfiltered row above, all zeros for the first row (as PNG defines it). Returns false for an unknown filter type.
 */
export function unfilterRow(line: Uint8Array, prev: Uint8Array, bpp: number, filter: number): boolean {
  const n = line.length;
  const first = Math.min(bpp, n);
  // One loop per filter type, the first `bpp` bytes (no left neighbour) apart: a per-byte switch costs a small
  // picture a large share of its decode.
  switch (filter) {
    case 0:
      return true;
    case 1:
      for (let x = first; x < n; x++) line[x] = (line[x] + line[x - bpp]) & 0xff;
      return true;
    case 2:
      for (let x = 0; x < n; x++) line[x] = (line[x] + prev[x]) & 0xff;
      return true;
    case 3:
      for (let x = 0; x < first; x++) line[x] = (line[x] + (prev[x] >> 1)) & 0xff;
      for (let x = first; x < n; x++) line[x] = (line[x] + ((line[x - bpp] + prev[x]) >> 1)) & 0xff;
      return true;
    case 4:
      // without a left neighbour the Paeth predictor is the byte above
      for (let x = 0; x < first; x++) line[x] = (line[x] + prev[x]) & 0xff;
      for (let x = first; x < n; x++) {
        const a = line[x - bpp],
          u = prev[x],
          c = prev[x - bpp];
        const pa = Math.abs(u - c),
          pb = Math.abs(a - c),
          pc = Math.abs(a + u - 2 * c);
        line[x] = (line[x] + (pa <= pb && pa <= pc ? a : pb <= pc ? u : c)) & 0xff;
      }
      return true;
    default:
      return false;
  }
}

function badFilter(y: number, filter: number): never {
  throw new PictureError(`corrupt PNG (row ${y} has filter type ${filter}); re-save or re-export the picture`);
}

/**
 * A whole inflated 8-bit image (each row led by its filter byte) -> its samples, row after row.
 * @throws PictureError on an unknown row filter type.
 */
export function unfilterImage(raw: Uint8Array, s: PngRowShape): Uint8Array {
  const stride = s.width * s.channels;
  const px = new Uint8Array(s.height * stride);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < s.height; y++) {
    const line = px.subarray(y * stride, (y + 1) * stride);
    const src = y * (stride + 1);
    line.set(raw.subarray(src + 1, src + 1 + stride));
    if (!unfilterRow(line, prev, s.channels, raw[src])) badFilter(y, raw[src]);
    prev = line;
  }
  return px;
}

/**
 * Inflate PNG image data and unfilter it row by row as it comes, keeping 8-bit samples only (16-bit ones are
 * scaled as pngjs scales them, so either decoder gives the same bytes).
 * @param expected bytes the data must inflate to, no more and no less (see pngDataBytes)
 * @throws PictureError: data inflating past `expected` or short of it, a corrupt stream, an unknown filter type.
 */
export function streamPngRows(idat: Uint8Array[], expected: number, s: PngRowShape): Promise<Uint8Array> {
  const bytesPerSample = s.depth / 8;
  const bpp = s.channels * bytesPerSample;
  const rowBytes = s.width * bpp;
  const stride = s.width * s.channels;
  const px = new Uint8Array(s.height * stride);
  let prev = new Uint8Array(rowBytes),
    line = new Uint8Array(rowBytes);
  let filter = -1,
    fill = 0,
    y = 0,
    total = 0;

  const finishRow = (): void => {
    if (!unfilterRow(line, prev, bpp, filter)) badFilter(y, filter);
    const out = y * stride;
    if (bytesPerSample === 1) px.set(line, out);
    else
      for (let i = 0; i < stride; i++)
        px[out + i] = Math.floor(((line[2 * i] * 256 + line[2 * i + 1]) * 255) / 65535 + 0.5);
    [prev, line] = [line, prev];
    filter = -1;
    fill = 0;
    y++;
  };

  return new Promise<Uint8Array>((resolve, reject) => {
    const inflater = zlib.createInflate({ chunkSize: 64 * 1024 });
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      inflater.destroy();
      reject(
        err instanceof PictureError
          ? err
          : new PictureError(`corrupt or truncated PNG (${err.message.split('\n')[0]})`),
      );
    };
    inflater.on('data', (chunk: Buffer) => {
      if (failed) return;
      total += chunk.length;
      if (total > expected) {
        return fail(
          new PictureError(
            `PNG image data inflates past the ${expected} bytes its ${s.width}x${s.height} header allows: refused (a decompression bomb, or a damaged file)`,
          ),
        );
      }
      try {
        for (let i = 0; i < chunk.length;) {
          if (filter < 0) {
            filter = chunk[i++];
            if (rowBytes === 0) finishRow();
            continue;
          }
          const take = Math.min(rowBytes - fill, chunk.length - i);
          line.set(chunk.subarray(i, i + take), fill);
          fill += take;
          i += take;
          if (fill === rowBytes) finishRow();
        }
      } catch (err) {
        fail(err as Error);
      }
    });
    inflater.on('error', fail);
    inflater.on('end', () => {
      if (failed) return;
      if (total < expected)
        return fail(new PictureError(`corrupt or truncated PNG (image data holds ${total} bytes, ${expected} needed)`));
      resolve(px);
    });
    for (const c of idat) inflater.write(c);
    inflater.end();
  });
}
