/** A file that cannot be turned into pixels; the message is one line naming no path (the caller adds it). */
export class PictureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PictureError';
  }
}
