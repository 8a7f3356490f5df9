import { describe, expect, it } from 'vitest';
import { slowBroker } from '../../test/support/slow-broker.js';
import type { DuplexBroker, SessionRecord } from '../brokers/broker.js';
import { BrokerUnavailableError } from '../brokers/broker-unavailable.error.js';
import { MemoryBroker } from '../brokers/memory/memory.broker.js';
import { resolveDuplexOptions } from '../duplex-options.resolver.js';
import type { Envelope } from '../envelope/envelope.js';
import { PreparedMessage } from '../envelope/prepared-message.js';
import type { CloseReason } from '../sessions/close-reason.js';
import type { Link } from '../sessions/link.js';
import { LocalSessions } from '../sessions/local-sessions.js';
import { SessionRegistry } from '../sessions/session.registry.js';
import { OutboundDelivery } from './outbound.delivery.js';
import { PullWaiters } from './pull.waiters.js';

/** A link that records what it was given and can be made "full" on demand. */
class RecordingLink implements Link {
  readonly handshake = { transport: 'websocket' as const, headers: {}, query: {}, remoteAddress: undefined };
  readonly principal = null;
  readonly maxPayload = 1024;
  readonly seqs: number[] = [];
  closedWith: CloseReason | undefined;
  full = false;
  private waiters: Array<() => void> = [];
  get writable(): boolean {
    return !this.full && this.closedWith === undefined;
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
  close(reason: CloseReason): void {
    this.closedWith ??= reason;
  }
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

const record = (id: string): SessionRecord => ({ id, tokenHash: 'h', identity: '', principal: null, epoch: 'e1', createdAt: 0 });

describe.each([
  ['memory broker', (b: MemoryBroker): DuplexBroker => b],
  ['slow async broker', (b: MemoryBroker): DuplexBroker => slowBroker(b, seeded(7))],
])('OutboundDelivery with a %s', (_name, wrap) => {
  async function setUp(outbox: { replayBatch?: number; maxMessages?: number } = { replayBatch: 7 }) {
    const options = resolveDuplexOptions({ outbox });
    const memory = new MemoryBroker();
    const broker = wrap(memory);
    const locals = new LocalSessions();
    const registry = new SessionRegistry(broker, 'n1', locals, options);
    const delivery = new OutboundDelivery(broker, 'n1', locals, registry, new PullWaiters(), options);
    await broker.sessions.create(record('s1'), options.session);
    const attach = async (link: Link, clientLastSeq: number) => {
      const attached = await registry.attach('s1', link);
      if (!('live' in attached)) throw attached;
      delivery.attached(attached.live, clientLastSeq, attached.lastSeq, attached.trimmed);
      return attached.live;
    };
    return { memory, broker, delivery, attach };
  }

  it('writes every message once, in order, with no gap, through backpressure and a takeover', async () => {
    const { delivery, attach } = await setUp();
    const first = new RecordingLink();
    await attach(first, 0);
    const sends: Promise<unknown>[] = [];
    for (let i = 1; i <= 100; i++) {
      sends.push(delivery.enqueue('s1', message(i)));
      if (i === 30) first.full = true;
      if (i === 60) first.drain();
    }
    await Promise.all(sends);
    // the client processed up to 42 when its link died; a new link resumes from there
    const second = new RecordingLink();
    await attach(second, 42);
    expect(first.closedWith).toBe('taken_over');
    for (let i = 101; i <= 150; i++) sends.push(delivery.enqueue('s1', message(i)));
    await Promise.all(sends);
    await settle(() => second.seqs.length >= 108);
    expect(first.seqs).toEqual(Array.from({ length: first.seqs.length }, (_, i) => i + 1));
    expect(second.seqs).toEqual(Array.from({ length: 108 }, (_, i) => i + 43));
  });

  it('trims on a cumulative ack, never past what was written', async () => {
    const { delivery, attach, memory } = await setUp();
    const link = new RecordingLink();
    const live = await attach(link, 0);
    link.full = true;
    for (let i = 1; i <= 10; i++) await delivery.enqueue('s1', message(i));
    delivery.onAck('s1', live, 1000);
    expect(live.acked).toBe(live.written);
    await settle(() => memory.usage('s1').messages === 10 - live.written);
    expect(memory.usage('s1').messages).toBe(10 - live.written);
    link.drain();
    await settle(() => link.seqs.length >= 10);
    expect(link.seqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('ends the session on overflow, closing its link, and reports why', async () => {
    const { delivery, attach, broker } = await setUp({ maxMessages: 3 });
    const link = new RecordingLink();
    await attach(link, 0);
    link.full = true;
    for (let i = 1; i <= 3; i++) expect(await delivery.enqueue('s1', message(i))).toEqual({ ok: true, seq: i });
    expect(await delivery.enqueue('s1', message(4))).toEqual({ ok: false, reason: 'overflow' });
    expect(link.closedWith).toBe('outbox_overflow');
    expect(await delivery.enqueue('s1', message(5))).toEqual({ ok: false, reason: 'missing' });
    expect(await broker.sessions.lookup('s1')).toEqual({ state: 'ended', reason: 'outbox_overflow' });
  });
});

/** Attaches a recording link from seq 0 and waits until the session layer closes it. */
async function attachUntilClosed(registry: SessionRegistry, delivery: OutboundDelivery): Promise<RecordingLink> {
  const link = new RecordingLink();
  const attached = await registry.attach('s1', link);
  if (!('live' in attached)) throw attached;
  delivery.attached(attached.live, 0, attached.lastSeq, attached.trimmed);
  await settle(() => link.closedWith !== undefined);
  return link;
}

describe('OutboundDelivery.enqueueMany (broadcast)', () => {
  it('numbers per session in one broker step, writes to local links, and ends only the session that overflowed', async () => {
    const options = resolveDuplexOptions({ outbox: { maxMessages: 2 } });
    const broker = new MemoryBroker();
    const locals = new LocalSessions();
    const registry = new SessionRegistry(broker, 'n1', locals, options);
    const delivery = new OutboundDelivery(broker, 'n1', locals, registry, new PullWaiters(), options);
    await broker.sessions.create(record('full'), options.session);
    await broker.sessions.create(record('roomy'), options.session);
    const link = new RecordingLink();
    const attached = await registry.attach('roomy', link);
    if (!('live' in attached)) throw attached;
    delivery.attached(attached.live, 0, attached.lastSeq, attached.trimmed);
    await delivery.enqueue('full', message(1));
    await delivery.enqueue('full', message(2));
    const results = await delivery.enqueueMany(['full', 'roomy', 'gone'], message(3));
    expect(results).toEqual([{ ok: false, reason: 'overflow' }, { ok: true, seq: 1 }, { ok: false, reason: 'missing' }]);
    expect(link.seqs).toEqual([1]);
    expect(await broker.sessions.lookup('full')).toEqual({ state: 'ended', reason: 'outbox_overflow' });
    expect((await broker.sessions.lookup('roomy')).state).toBe('live');
  });
});

describe('OutboundDelivery against a store that cannot be trusted', () => {
  async function setUp(broker: DuplexBroker) {
    const options = resolveDuplexOptions({});
    const locals = new LocalSessions();
    const registry = new SessionRegistry(broker, 'n1', locals, options);
    const delivery = new OutboundDelivery(broker, 'n1', locals, registry, new PullWaiters(), options);
    await broker.sessions.create(record('s1'), options.session);
    return { delivery, registry };
  }

  it('ends the session on a gap in what the store returns, never spinning (R2)', async () => {
    const memory = new MemoryBroker();
    let reads = 0;
    // A store that lost seq 2: it returns 1 and 3.
    const lossy: DuplexBroker = {
      ...memory,
      sessions: memory.sessions,
      rooms: memory.rooms,
      inbound: memory.inbound,
      bus: memory.bus,
      outbox: {
        ...memory.outbox,
        read: async (id, after, limit) => {
          reads++;
          const read = await memory.outbox.read(id, after, limit);
          return read.ok ? { ...read, entries: read.entries.filter((e) => e.seq !== 2) } : read;
        },
      },
    };
    const { delivery, registry } = await setUp(lossy);
    for (let i = 1; i <= 3; i++) await delivery.enqueue('s1', message(i));
    const link = await attachUntilClosed(registry, delivery);
    expect(link.closedWith).toBe('session_ended');
    expect(link.seqs).toEqual([1]);
    expect(reads).toBeLessThan(5);
    expect(await memory.sessions.lookup('s1')).toEqual({ state: 'ended', reason: 'session_expired' });
  });

  it('ends the session when a read rejects, with no unhandled rejection (R3)', async () => {
    const memory = new MemoryBroker();
    const failing: DuplexBroker = {
      sessions: memory.sessions,
      rooms: memory.rooms,
      inbound: memory.inbound,
      bus: memory.bus,
      outbox: { ...memory.outbox, read: async () => Promise.reject(new Error('connection reset')) },
    };
    const { delivery, registry } = await setUp(failing);
    await delivery.enqueue('s1', message(1));
    const link = await attachUntilClosed(registry, delivery);
    expect(link.closedWith).toBe('session_ended');
  });

  it('keeps the session when the broker is unreachable: the link closes with internal_error and a resume replays it all', async () => {
    const memory = new MemoryBroker();
    let reachable = false;
    const outage: DuplexBroker = {
      ...memory,
      outbox: {
        ...memory.outbox,
        read: async (id, after, limit) => {
          if (!reachable) throw new BrokerUnavailableError('Redis is unreachable: test', false);
          return memory.outbox.read(id, after, limit);
        },
      },
    };
    const { delivery, registry } = await setUp(outage);
    await delivery.enqueue('s1', message(1));
    const link = await attachUntilClosed(registry, delivery);
    expect(link.closedWith).toBe('internal_error');
    expect((await memory.sessions.lookup('s1')).state).toBe('live');
    reachable = true;
    const again = new RecordingLink();
    const attached = await registry.attach('s1', again);
    if (!('live' in attached)) throw attached;
    delivery.attached(attached.live, 0, attached.lastSeq, attached.trimmed);
    await settle(() => again.seqs.length === 1);
    expect(again.seqs).toEqual([1]);
  });

  it('rejects to the caller when an append fails, and an overflow whose end fails too is not unhandled (R3)', async () => {
    const memory = new MemoryBroker();
    const broken: DuplexBroker = {
      outbox: memory.outbox,
      rooms: memory.rooms,
      inbound: memory.inbound,
      bus: memory.bus,
      sessions: { ...memory.sessions, end: async () => Promise.reject(new Error('broker down')) },
    };
    const options = resolveDuplexOptions({ outbox: { maxMessages: 1 } });
    const locals = new LocalSessions();
    const registry = new SessionRegistry(broken, 'n1', locals, options);
    const delivery = new OutboundDelivery(broken, 'n1', locals, registry, new PullWaiters(), options);
    await broken.sessions.create(record('s1'), options.session);
    await delivery.enqueue('s1', message(1));
    await expect(delivery.enqueue('s1', message(2))).rejects.toThrow('broker down');
  });
});
