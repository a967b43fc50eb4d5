/**
 * A token bucket: `ratePerSecond` tokens flow in, up to `burst`; each take
 * spends one. Used to cap how many messages one socket may send.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Spends a token; false when none is left. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((t - this.updatedAt) / 1000) * this.ratePerSecond,
    );
    this.updatedAt = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
