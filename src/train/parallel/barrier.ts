/** Slots of the control array shared by every replica. */
export const CTL = {
  /** Replicas that reached the current barrier. */
  arrived: 0,
  /** Barrier generation: bumped by the last arrival, which releases the others. */
  generation: 1,
  /** 0 while healthy; rank + 1 of the first replica that failed. */
  abort: 2,
  /** What the coordinator asks for at an epoch barrier: {@link COMMAND}. */
  command: 3,
} as const;
/** Length of the control array. */
export const CTL_LENGTH = 8;

/** Commands the coordinator posts at an epoch barrier. */
export const COMMAND = { stop: 0, epoch: 1 } as const;

/** Thrown in a replica when another one failed: it stops without adding an error of its own. */
export class ReplicaAborted extends Error {
  constructor(readonly failedRank: number) {
    super(`replica ${failedRank} failed`);
    this.name = 'ReplicaAborted';
  }
}

/**
 * A reusable barrier for `parties` threads over an Int32Array in shared memory (Atomics), with an
 * abort flag any party can raise so nobody waits forever on a replica that died.
 */
export class Barrier {
  constructor(
    private readonly ctl: Int32Array,
    private readonly parties: number,
  ) {}

  /** Raise the abort flag for `rank` (the first failure wins) and wake every waiter. */
  abort(rank: number): void {
    Atomics.compareExchange(this.ctl, CTL.abort, 0, rank + 1);
    Atomics.notify(this.ctl, CTL.generation);
  }

  /** Rank of the replica that failed, or -1. */
  failedRank(): number {
    return Atomics.load(this.ctl, CTL.abort) - 1;
  }

  private check(): void {
    const failed = this.failedRank();
    if (failed >= 0) throw new ReplicaAborted(failed);
  }

  /** Returns the generation to wait on, or -1 when this arrival was the last and released the others. */
  private arriveOnly(): number {
    this.check();
    const gen = Atomics.load(this.ctl, CTL.generation);
    if (Atomics.add(this.ctl, CTL.arrived, 1) === this.parties - 1) {
      // Reset the count before the release: a released party may arrive at the next barrier at once.
      Atomics.store(this.ctl, CTL.arrived, 0);
      Atomics.add(this.ctl, CTL.generation, 1);
      Atomics.notify(this.ctl, CTL.generation);
      return -1;
    }
    return gen;
  }

  /** Block until every party arrived (worker threads). @throws ReplicaAborted */
  arriveSync(): void {
    const gen = this.arriveOnly();
    if (gen < 0) return;
    while (Atomics.load(this.ctl, CTL.generation) === gen) {
      this.check();
      Atomics.wait(this.ctl, CTL.generation, gen, 250);
    }
    this.check();
  }

  /**
   * Wait until every party arrived without starving the event loop for long (the main thread): waits
   * in short slices and yields between them, so a worker's 'error'/'exit' event can raise the abort
   * flag. @throws ReplicaAborted
   */
  async arrive(): Promise<void> {
    const gen = this.arriveOnly();
    if (gen < 0) return;
    while (Atomics.load(this.ctl, CTL.generation) === gen) {
      this.check();
      if (Atomics.wait(this.ctl, CTL.generation, gen, 5) === 'timed-out') await new Promise((r) => setImmediate(r));
    }
    this.check();
  }
}
