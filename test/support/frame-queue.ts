/** A parsed frame as a test sees it. */
export type Frame = Record<string, unknown> & { type?: string; data?: Record<string, unknown> };

/** Frames received by a raw peer, handed to whoever waits for a matching one; every wait has a deadline. */
export class FrameQueue {
  private readonly frames: Frame[] = [];
  private readonly waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];

  push(frame: Frame): void {
    const i = this.waiters.findIndex((w) => w.match(frame));
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(frame);
    else this.frames.push(frame);
  }

  /** The first frame (already received or still to come) that matches, within the deadline. */
  next(match: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const i = this.frames.findIndex(match);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`No matching frame within ${timeoutMs} ms; unmatched: ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
