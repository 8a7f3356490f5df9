/** A remembered client request: the seq of its answer once queued (0 while it runs). */
export interface SeenRequest {
  answerSeq: number;
}

/**
 * The ids of a session's last N inbound requests and notifications, with what became of them.
 * A ring of ids beside a Map: adding past capacity forgets the oldest in O(1), with no iteration.
 */
export class RecentRequests {
  // Made on first use: an idle session (most of them) costs nothing here.
  private byId: Map<string, SeenRequest> | undefined;
  private ring: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  get(id: string): SeenRequest | undefined {
    return this.byId?.get(id);
  }

  add(id: string, record: SeenRequest): void {
    this.byId ??= new Map();
    if (this.ring.length < this.capacity) {
      this.ring.push(id);
    } else {
      this.byId.delete(this.ring[this.next]);
      this.ring[this.next] = id;
      this.next = (this.next + 1) % this.capacity;
    }
    this.byId.set(id, record);
  }

  get size(): number {
    return this.byId?.size ?? 0;
  }

  clear(): void {
    this.byId = undefined;
    this.ring = [];
    this.next = 0;
  }
}
