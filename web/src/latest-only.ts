/**
 * Run an async task at most once at a time and never build a queue: a request made while a run is going
 * only marks the work dirty, and one more run follows (with the newest state) when the current one ends.
 * Runs start on the next animation frame so a burst of pointer moves costs one prediction.
 */
export class LatestOnly {
  private running = false;
  private dirty = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly nextFrame: (cb: () => void) => void = (cb) => requestAnimationFrame(() => cb()),
  ) {}

  /** Ask for a run with the current state. */
  request(): void {
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    this.nextFrame(() => void this.loop());
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      try {
        await this.task();
      } catch {
        // The task reports its own errors; the loop only has to stay alive.
      }
    } while (this.dirty);
    this.running = false;
  }
}
