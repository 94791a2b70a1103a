/**
 * Spaces sends out to at most `perSecond`, shared by the concurrent senders of one announcement. Each caller gets
 * the next free slot, so a burst of callers is spread evenly instead of all passing at once.
 */
export class Throttle {
  private next = 0;
  constructor(private readonly perSecond: number) {}

  async take(): Promise<void> {
    if (!Number.isFinite(this.perSecond)) return;
    const gap = 1000 / this.perSecond;
    const now = Date.now();
    const slot = Math.max(now, this.next);
    this.next = slot + gap;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }
}
