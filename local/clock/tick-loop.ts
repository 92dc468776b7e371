/**
 * A loop on real time that lets a local emulator act on the simulated clock: every `tickMs` it
 * calls `tick`, which fires whatever has come due. Unref'd, so it never keeps the process alive.
 */
export class TickLoop {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly tick: () => void) {}

  start(tickMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(this.tick, tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
