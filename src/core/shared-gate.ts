/**
 * Many users at once, or one exclusive holder: {@link shared} runs work beside other shared work
 * (it waits while an exclusive holder runs), {@link tryExclusive} runs work only when nothing shared
 * runs right now and keeps new shared work waiting until it is done. The exclusive side never
 * waits, so a loop can try it between its steps without stalling behind long shared work.
 */
export class SharedGate {
  private users = 0;
  private closed: Promise<void> | undefined;

  /** Runs `work` once no exclusive holder runs; exclusive work waits for it to finish. */
  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    this.users++;
    try {
      return await work();
    } finally {
      this.users--;
    }
  }

  /**
   * Runs `work` alone when no shared work runs now (shared work arriving meanwhile waits); returns
   * false without running it otherwise.
   */
  async tryExclusive(work: () => Promise<void>): Promise<boolean> {
    if (this.users > 0 || this.closed) return false;
    let open!: () => void;
    this.closed = new Promise((resolve) => (open = resolve));
    try {
      await work();
    } finally {
      this.closed = undefined;
      open();
    }
    return true;
  }
}
