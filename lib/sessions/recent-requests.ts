import type { SeenRequest } from './session.js';

/**
 * The ids of a session's last N inbound requests and notifications, with what became of them.
 * A ring of ids beside a Map: adding past capacity forgets the oldest in O(1), with no iteration.
 */
export class RecentRequests {
  private readonly byId = new Map<string, SeenRequest>();
  private readonly ring: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  get(id: string): SeenRequest | undefined {
    return this.byId.get(id);
  }

  add(id: string, record: SeenRequest): void {
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
    return this.byId.size;
  }

  clear(): void {
    this.byId.clear();
    this.ring.length = 0;
    this.next = 0;
  }
}
