import { describe, expect, it } from 'vitest';
import { resolveDuplexOptions } from '../duplex-options.resolver.js';
import type { Envelope } from '../envelope/envelope.js';
import { PreparedMessage } from '../envelope/prepared-message.js';
import type { Link } from '../sessions/link.js';
import { Session } from '../sessions/session.js';
import { MemoryOutboxStore } from './memory-outbox.store.js';
import { OutboundDelivery } from './outbound.delivery.js';
import type { OutboxStore } from './outbox.store.js';

/** A link that records what it was given and can be made "full" on demand. */
class RecordingLink implements Link {
  readonly handshake = { transport: 'websocket' as const, headers: {}, query: {}, remoteAddress: undefined };
  readonly principal = null;
  readonly maxPayload = 1024;
  readonly seqs: number[] = [];
  full = false;
  private waiters: Array<() => void> = [];
  get writable(): boolean {
    return !this.full;
  }
  sendSequenced(_m: PreparedMessage, _s: string, seq: number): void {
    this.seqs.push(seq);
  }
  sendControl(_e: Envelope): void {}
  pauseReading(): void {}
  resumeReading(): void {}
  onceWritable(listener: () => void): void {
    if (this.writable) listener();
    else this.waiters.push(listener);
  }
  drain(): void {
    this.full = false;
    for (const w of this.waiters.splice(0)) w();
  }
  close(): void {}
}

/** An async store whose every call resolves after a random number of turns (like a network broker). */
function slowStore(inner: OutboxStore, random: () => number): OutboxStore {
  const later = async <T>(value: Promise<T>): Promise<T> => {
    const turns = Math.floor(random() * 4);
    for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
    return value;
  };
  let chain = Promise.resolve() as Promise<unknown>;
  // calls resolve in the order they were made, as the interface requires
  const ordered = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(() => later(fn()));
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    create: (id) => ordered(() => inner.create(id)),
    append: (id, m) => ordered(() => inner.append(id, m)),
    read: (id, after, limit) => ordered(() => inner.read(id, after, limit)),
    trim: (id, upto) => ordered(() => inner.trim(id, upto)),
    delete: (id) => ordered(() => inner.delete(id)),
    lastSeq: (id) => ordered(() => inner.lastSeq(id)),
  };
}

/** Lets queued I/O turns run until `done` holds (bounded: a stuck pump fails the test). */
async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) await new Promise((r) => setImmediate(r));
}

const message = (n: number) => new PreparedMessage({ id: `m${n}`, type: 'notification', action: 'a', data: { n }, timestamp: 0 });

function seeded(seed: number): () => number {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe.each([
  ['memory store', (s: MemoryOutboxStore) => s as OutboxStore],
  ['slow async store', (s: MemoryOutboxStore) => slowStore(s, seeded(7))],
])('OutboundDelivery with a %s', (_name, wrap) => {
  const options = resolveDuplexOptions({ outbox: { replayBatch: 7 } });
  async function setUp() {
    const store = wrap(new MemoryOutboxStore(options.outbox));
    const delivery = new OutboundDelivery(store, options);
    const session = new Session('s1', 't', null, '');
    await store.create('s1');
    return { store, delivery, session };
  }

  it('writes every message once, in order, with no gap, through backpressure and a takeover', async () => {
    const { delivery, session } = await setUp();
    const first = new RecordingLink();
    session.link = first;
    delivery.attached(session, 0, 0);
    const sends: Promise<number>[] = [];
    for (let i = 1; i <= 100; i++) {
      sends.push(delivery.enqueue(session, message(i)));
      if (i === 30) first.full = true;
      if (i === 60) first.drain();
    }
    await Promise.all(sends);
    // the client processed up to 42 when its link died; a new link resumes from there
    const second = new RecordingLink();
    session.link = second;
    delivery.attached(session, 42, 100);
    for (let i = 101; i <= 150; i++) sends.push(delivery.enqueue(session, message(i)));
    await Promise.all(sends);
    await settle(() => second.seqs.length >= 108);
    // the first link got a gap-free prefix; the second everything after the client's last_seq, once
    expect(first.seqs).toEqual(Array.from({ length: first.seqs.length }, (_, i) => i + 1));
    expect(second.seqs).toEqual(Array.from({ length: 108 }, (_, i) => i + 43));
  });

  it('trims on a cumulative ack, never past what was written', async () => {
    const { delivery, session, store } = await setUp();
    const link = new RecordingLink();
    session.link = link;
    delivery.attached(session, 0, 0);
    link.full = true;
    for (let i = 1; i <= 10; i++) await delivery.enqueue(session, message(i));
    delivery.onAck(session, 1000);
    expect(session.acked).toBe(session.written);
    expect((await store.read('s1', 0, 100)).length).toBe(10 - session.written);
    link.drain();
    await settle(() => link.seqs.length >= 10);
    expect(link.seqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('ends the session on overflow and reports 0', async () => {
    const small = resolveDuplexOptions({ outbox: { maxMessages: 3 } });
    const store = wrap(new MemoryOutboxStore(small.outbox));
    const delivery = new OutboundDelivery(store, small);
    const session = new Session('s1', 't', null, '');
    await store.create('s1');
    for (let i = 1; i <= 3; i++) expect(await delivery.enqueue(session, message(i))).toBe(i);
    expect(await delivery.enqueue(session, message(4))).toBe(0);
    expect(session.overflowed).toBe(true);
    expect(await delivery.enqueue(session, message(5))).toBe(0);
  });
});
