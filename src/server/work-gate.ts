/**
 * A bound on the heavy work in flight: at most `slots` jobs at once, whose costs (pixels a picture's header
 * claims) add up to no more than `budget`. Jobs wait their turn in arrival order; a waiting job whose request
 * is abandoned (deadline, client gone) leaves the queue without having cost anything.
 */

interface Waiter {
  cost: number;
  start(): void;
}

/** Gives out places for work; see the file comment. */
export class WorkGate {
  private running = 0;
  private spent = 0;
  private readonly queue: Waiter[] = [];

  /**
   * @param slots jobs at once (at least one).
   * @param budget total cost at once; a job costing more than the whole budget runs alone.
   */
  constructor(
    readonly slots: number,
    readonly budget: number,
  ) {
    if (!(slots >= 1)) throw new RangeError(`WorkGate: slots must be at least 1, got ${slots}`);
    if (!(budget > 0)) throw new RangeError(`WorkGate: budget must be positive, got ${budget}`);
  }

  /** Jobs running now, and the cost they hold. */
  get inUse(): { jobs: number; cost: number } {
    return { jobs: this.running, cost: this.spent };
  }

  /**
   * Wait for a place for a job of `cost`, then run `job`; the place is held until the job settles.
   * @throws the signal's reason when it aborts while the job waits (the job never starts).
   */
  async run<T>(cost: number, signal: AbortSignal | undefined, job: () => Promise<T>): Promise<T> {
    const c = Math.min(Math.max(0, cost), this.budget);
    await this.acquire(c, signal);
    try {
      return await job();
    } finally {
      this.running--;
      this.spent -= c;
      this.drain();
    }
  }

  private acquire(cost: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queue.length === 0 && this.fits(cost)) {
      this.take(cost);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        cost,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.take(cost);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(w);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal!.reason);
        // the job ahead may have been what held the others back
        this.drain();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(w);
    });
  }

  private fits(cost: number): boolean {
    return this.running < this.slots && this.spent + cost <= this.budget;
  }

  private take(cost: number): void {
    this.running++;
    this.spent += cost;
  }

  // first come, first served: a large job at the head is not overtaken by smaller ones behind it forever
  private drain(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0].cost)) this.queue.shift()!.start();
  }
}
