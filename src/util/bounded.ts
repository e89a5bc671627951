/** A bounded set of background tasks: file writes of a restore, packs being stored. */
/** Runs at most `limit` tasks at once; the first failure is thrown by the next start or drain. */
export class Bounded {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  constructor(private readonly limit: number) {}

  async start(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.check();
    const run: Promise<void> = task()
      .catch((error: unknown) => void (this.failure ??= { error }))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async drain(): Promise<void> {
    await this.settle();
    this.check();
  }

  /** Throws the first failure of a task, if one failed. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every task, failed or not (before what they wrote into is removed). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
  }
}

