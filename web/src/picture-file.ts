/**
 * A picture file given to the widget (a Blob: from `<input type="file">`, a drop, a fetch) -> RGBA pixels, the
 * way the CLI and the server see the same file: turned upright by its EXIF orientation. Phones store most photos
 * sideways with that tag, and a digit read sideways is another digit. `imageOrientation: 'from-image'` is the
 * default of current browsers; it is written out because older ones defaulted to ignoring the tag.
 */
export async function pictureFilePixels(file: Blob): Promise<ImageData> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('readImage: this browser gives no 2D canvas to read the picture with');
    ctx.drawImage(bitmap, 0, 0);
    return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}
