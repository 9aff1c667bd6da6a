/**
 * A budget of pixels shared by the decodes of one thread: a decode takes its picture's pixels from the budget
 * before it starts and gives them back when it ends; one that does not fit waits, first come first served.
 * A picture larger than the whole budget runs alone.
 */
export class PixelGate {
  private inUse = 0;
  private readonly queue: Array<{ pixels: number; go: () => void }> = [];

  /** @param budget pixels decoded at once, at most (a positive number) */
  constructor(private readonly budget: number) {
    if (!(budget > 0)) throw new RangeError(`PixelGate: budget must be a positive number of pixels, got ${budget}`);
  }

  /** Resolves once `pixels` fit in what is left of the budget (or nothing else runs). */
  acquire(pixels: number): Promise<void> {
    if (this.queue.length === 0 && this.fits(pixels)) {
      this.inUse += pixels;
      return Promise.resolve();
    }
    return new Promise((go) => this.queue.push({ pixels, go }));
  }

  /** Give back what {@link acquire} took, and let the waiting decodes that now fit start. */
  release(pixels: number): void {
    this.inUse -= pixels;
    while (this.queue.length && this.fits(this.queue[0].pixels)) {
      const next = this.queue.shift()!;
      this.inUse += next.pixels;
      next.go();
    }
  }

  /** Pixels of the decodes running now. */
  get pixelsInUse(): number {
    return this.inUse;
  }

  private fits(pixels: number): boolean {
    return this.inUse === 0 || this.inUse + pixels <= this.budget;
  }
}
