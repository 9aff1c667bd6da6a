import { UserError } from '../errors.js';

/** One picture could not be predicted or read; `message` is the line the CLI prints for it. */
export class PictureFailedError extends UserError {
  /** The path, or `<bytes>` / `<pixels>` for a picture given in memory. */
  readonly picture: string;
  /** Why, as the CLI's row says it (without the picture's name). */
  readonly reason: string;
  constructor(picture: string, reason: string) {
    super(`${picture}: ${reason}`);
    this.name = 'PictureFailedError';
    this.picture = picture;
    this.reason = reason;
  }
}
