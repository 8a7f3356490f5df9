/**
 * The broker seam's contract, run against every broker: what the session layer relies on, call by
 * call. The memory broker is the reference; the Redis broker runs against the real Redis at
 * REDIS_URL (unreachable, these tests fail), on a key prefix of its own, deleted afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { holder, LIMITS, message, NodeLog, record, ROOMY } from '../../test/support/broker-fixtures.js';
import { REDIS_URL, redisTestBroker } from '../../test/support/redis.js';
import type { DuplexBroker } from './broker.js';
import { MemoryBroker } from './memory/memory.broker.js';

type Make = (options?: { sweepIntervalMs?: number; holdRenewMs?: number }) => DuplexBroker;
const CASES: Array<[string, Make]> = [
  ['memory', () => new MemoryBroker()],
  [`redis (${REDIS_URL})`, (options) => redisTestBroker({ sweepIntervalMs: 25, ...options })],
];

describe.each(CASES)('broker contract: %s', (_name, make) => {
  const open: DuplexBroker[] = [];
  const brokerOf = (options?: Parameters<Make>[0]) => {
    const broker = make(options);
    open.push(broker);
    return broker;
  };

  afterEach(async () => {
    for (const broker of open.splice(0)) await broker.close?.();
  });

  it('create, lookup and list: the record as given; an unknown id is unknown; past maxSessions, refused', async () => {
    const broker = brokerOf();
    expect(await broker.sessions.create(record('s1'), LIMITS)).toEqual({ ok: true });
    expect(await broker.sessions.lookup('s1')).toEqual({ state: 'live', record: record('s1') });
    expect(await broker.sessions.lookup('nobody')).toEqual({ state: 'unknown' });
    expect(await broker.sessions.create(record('s2', { principal: null }), { ...LIMITS, maxSessions: 2 })).toEqual({ ok: true });
    expect(await broker.sessions.create(record('s3'), { ...LIMITS, maxSessions: 2 })).toEqual({ ok: false, reason: 'limit' });
    expect(await broker.sessions.lookup('s3')).toEqual({ state: 'unknown' });
    const listed = await broker.sessions.list();
    expect(listed.map((r) => r.id).sort()).toEqual(['s1', 's2']);
    expect(listed.find((r) => r.id === 's2')?.principal).toBeNull();
  });

  it('attach returns the previous holder and the cursors in one step; detach by another link changes nothing', async () => {
    const broker = brokerOf();
    await broker.sessions.create(record('s1'), LIMITS);
    const first = await broker.sessions.attach('s1', holder('n1', 'l1'), { id: 'p1' });
    expect(first).toEqual({ ok: true, previous: undefined, epoch: 'epoch-s1', lastSeq: 0, trimmed: 0, inboundSeq: 0 });
    for (let i = 1; i <= 3; i++) await broker.outbox.append('s1', message(i), ROOMY, { origin: 'n1' });
    await broker.outbox.trim('s1', 1);
    await broker.inbound.accept('s1', { seq: 1, window: 8 });
    // touch (a pull) reads the same cursors
    expect(await broker.sessions.touch('s1', LIMITS.ttlMs)).toEqual({ epoch: 'epoch-s1', lastSeq: 3, trimmed: 1, inboundSeq: 1 });
    expect(await broker.sessions.touch('nobody', LIMITS.ttlMs)).toBeUndefined();
    const second = await broker.sessions.attach('s1', holder('n2', 'l2'), { id: 'p2' });
    expect(second).toEqual({ ok: true, previous: holder('n1', 'l1'), epoch: 'epoch-s1', lastSeq: 3, trimmed: 1, inboundSeq: 1 });
    await broker.sessions.detach('s1', holder('n1', 'l1'), LIMITS.ttlMs); // the old link, late: no effect
    let lookup = await broker.sessions.lookup('s1');
    expect(lookup.state === 'live' && [lookup.record.holder, lookup.record.principal, lookup.record.offlineSince]).toEqual([holder('n2', 'l2'), { id: 'p2' }, undefined]);
    const before = Date.now();
    await broker.sessions.detach('s1', holder('n2', 'l2'), LIMITS.ttlMs);
    lookup = await broker.sessions.lookup('s1');
    expect(lookup.state === 'live' && lookup.record.holder).toBeUndefined();
    expect(lookup.state === 'live' && lookup.record.offlineSince).toBeGreaterThanOrEqual(before - 1000);
    expect(await broker.sessions.attach('nobody', holder('n1', 'l3'), null)).toEqual({ ok: false, lookup: { state: 'unknown' } });
  });

  it('outbox: seq from 1 per session, reads after a cursor in pages, trims on ack (clamped to what was given out)', async () => {
    const broker = brokerOf();
    await broker.sessions.create(record('s1'), LIMITS);
    await broker.sessions.create(record('s2'), LIMITS);
    for (let i = 1; i <= 5; i++) expect(await broker.outbox.append('s1', message(i, 'é✓'), ROOMY, { origin: 'n1' })).toEqual({ ok: true, seq: i });
    expect(await broker.outbox.append('s2', message(9), ROOMY, { origin: 'n1' })).toEqual({ ok: true, seq: 1 });
    const page = await broker.outbox.read('s1', 1, 2);
    expect(page.ok && [page.epoch, page.lastSeq, page.trimmed]).toEqual(['epoch-s1', 5, 0]);
    expect(page.ok && page.entries.map((e) => [e.seq, e.message.id, e.message.jsonTail()])).toEqual([
      [2, 'm2', message(2, 'é✓').jsonTail()],
      [3, 'm3', message(3, 'é✓').jsonTail()],
    ]);
    expect(page.ok && page.entries[0].message.body).toEqual(message(2, 'é✓').body);
    await broker.outbox.trim('s1', 3);
    let read = await broker.outbox.read('s1', 0, 10);
    expect(read.ok && [read.trimmed, read.entries.map((e) => e.seq)]).toEqual([3, [4, 5]]);
    await broker.outbox.trim('s1', 2); // behind: nothing changes
    await broker.outbox.trim('s1', 99); // ahead of what was given out: clamped to 5
    read = await broker.outbox.read('s1', 0, 10);
    expect(read.ok && [read.lastSeq, read.trimmed, read.entries]).toEqual([5, 5, []]);
    expect(await broker.outbox.append('s1', message(6), ROOMY, { origin: 'n1' })).toEqual({ ok: true, seq: 6 });
    expect(await broker.outbox.read('nobody', 0, 10)).toEqual({ ok: false, reason: 'missing' });
    expect(await broker.outbox.append('nobody', message(1), ROOMY, { origin: 'n1' })).toEqual({ ok: false, reason: 'missing' });
  });

  it('outbox limits: messages, and characters of JSON (not UTF-8 bytes); an ack makes room again', async () => {
    const broker = brokerOf();
    await broker.sessions.create(record('s1'), LIMITS);
    const wide = message(1, 'é'.repeat(100));
    const limits = { maxMessages: 3, maxBytes: wide.size * 2 };
    expect(await broker.outbox.append('s1', wide, limits, { origin: 'n1' })).toEqual({ ok: true, seq: 1 });
    expect(await broker.outbox.append('s1', wide, limits, { origin: 'n1' })).toEqual({ ok: true, seq: 2 });
    expect(await broker.outbox.append('s1', message(3), limits, { origin: 'n1' })).toEqual({ ok: false, reason: 'overflow' });
    await broker.outbox.trim('s1', 1);
    expect(await broker.outbox.append('s1', message(3), limits, { origin: 'n1' })).toEqual({ ok: true, seq: 3 });
    expect(await broker.outbox.append('s1', message(4), { maxMessages: 2, maxBytes: 1e9 }, { origin: 'n1' })).toEqual({ ok: false, reason: 'overflow' });
  });

  it('appendMany: one result per id, in order, each as append would give', async () => {
    const broker = brokerOf();
    for (const id of ['a', 'b', 'full']) await broker.sessions.create(record(id), LIMITS);
    await broker.outbox.append('b', message(0), ROOMY, { origin: 'n1' });
    await broker.outbox.append('full', message(0), ROOMY, { origin: 'n1' });
    const results = await broker.outbox.appendMany(['a', 'gone', 'b', 'full'], message(1), { maxMessages: 1, maxBytes: 1e9 }, { origin: 'n1' });
    expect(results).toEqual([
      { ok: true, seq: 1 },
      { ok: false, reason: 'missing' },
      { ok: false, reason: 'overflow' },
      { ok: false, reason: 'overflow' },
    ]);
    const many = Array.from({ length: 600 }, (_, i) => `m${i}`);
    for (const id of many) await broker.sessions.create(record(id), LIMITS);
    const fanned = await broker.outbox.appendMany(many, message(2), ROOMY, { origin: 'n1' });
    expect(fanned.every((r) => r.ok && r.seq === 1)).toBe(true);
    const read = await broker.outbox.read('m599', 0, 10);
    expect(read.ok && read.entries.map((e) => e.message.id)).toEqual(['m2']);
  });

  it('inbound: seq order first (new, duplicate, gap), then the id window with the seq of its answer', async () => {
    const broker = brokerOf();
    await broker.sessions.create(record('s1'), LIMITS);
    const accept = (seq: number | undefined, id?: string) => broker.inbound.accept('s1', { seq, id, window: 2 });
    expect(await accept(1, 'r1')).toEqual({ kind: 'new', inboundSeq: 1 });
    expect(await accept(1, 'r1')).toEqual({ kind: 'duplicate', inboundSeq: 1 });
    expect(await accept(3, 'r3')).toEqual({ kind: 'gap', expected: 2 });
    expect(await accept(undefined, 'r1')).toEqual({ kind: 'seen', inboundSeq: 1, answerSeq: 0 });
    await broker.outbox.append('s1', message(1), ROOMY, { origin: 'n1', answers: 'r1' });
    expect(await accept(undefined, 'r1')).toEqual({ kind: 'seen', inboundSeq: 1, answerSeq: 1 });
    // A new seq with an id already seen: the seq is recorded, the request not run again.
    expect(await accept(2, 'r1')).toEqual({ kind: 'seen', inboundSeq: 2, answerSeq: 1 });
    expect(await accept(undefined, 'r2')).toEqual({ kind: 'new', inboundSeq: 2 });
    expect(await accept(undefined, 'r3')).toEqual({ kind: 'new', inboundSeq: 2 }); // r1 leaves the window of 2
    expect(await accept(undefined, 'r1')).toEqual({ kind: 'new', inboundSeq: 2 });
    expect(await broker.inbound.accept('nobody', { seq: 1, window: 2 })).toEqual({ kind: 'missing' });
  });

  it('rooms: join, leave, members and rooms of a session; a session that is not live joins nothing', async () => {
    const broker = brokerOf();
    await broker.sessions.create(record('s1'), LIMITS);
    await broker.sessions.create(record('s2'), LIMITS);
    expect(await broker.rooms.join('s1', 'blue')).toBe(true);
    expect(await broker.rooms.join('s2', 'blue')).toBe(true);
    expect(await broker.rooms.join('s1', 'red')).toBe(true);
    expect(await broker.rooms.join('nobody', 'blue')).toBe(false);
    expect((await broker.rooms.members('blue')).sort()).toEqual(['s1', 's2']);
    expect((await broker.rooms.roomsOf('s1')).sort()).toEqual(['blue', 'red']);
    await broker.rooms.leave('s2', 'blue');
    expect(await broker.rooms.members('blue')).toEqual(['s1']);
    expect(await broker.rooms.members('green')).toEqual([]);
  });

  it('end: everything goes, a resume is told why, every node hears it once; ending again is a no-op', async () => {
    const broker = brokerOf();
    const n1 = new NodeLog();
    const n2 = new NodeLog();
    await broker.bus.join('n1', n1.listener);
    await broker.bus.join('n2', n2.listener);
    await broker.sessions.create(record('s1'), LIMITS);
    await broker.rooms.join('s1', 'blue');
    await broker.outbox.append('s1', message(1), ROOMY, { origin: 'n1' });
    expect(await broker.sessions.end('s1', 'outbox_overflow', LIMITS.ttlMs)).toBe(true);
    for (const log of [n1, n2]) await log.next((e) => e.kind === 'ended' && e.sessionId === 's1' && e.reason === 'outbox_overflow');
    expect(await broker.sessions.lookup('s1')).toEqual({ state: 'ended', reason: 'outbox_overflow' });
    expect(await broker.sessions.attach('s1', holder('n1', 'l1'), null)).toEqual({ ok: false, lookup: { state: 'ended', reason: 'outbox_overflow' } });
    expect(await broker.sessions.end('s1', 'session_expired', LIMITS.ttlMs)).toBe(false);
    expect(await broker.rooms.members('blue')).toEqual([]);
    expect(await broker.outbox.read('s1', 0, 10)).toEqual({ ok: false, reason: 'missing' });
    expect(await broker.sessions.list()).toEqual([]);
    await broker.bus.leave('n1');
    await broker.bus.leave('n2');
  });

  it('bus: to one node, to all; an append wakes the holder node, or every other node when no link holds it', async () => {
    const broker = brokerOf();
    const a = new NodeLog();
    const b = new NodeLog();
    await broker.bus.join('a', a.listener);
    await broker.bus.join('b', b.listener);
    await broker.bus.send('b', { kind: 'takeover', sessionId: 'x', link: 'l' });
    await b.next((e) => e.kind === 'takeover');
    await broker.sessions.create(record('held'), LIMITS);
    await broker.sessions.create(record('free'), LIMITS);
    await broker.sessions.attach('held', holder('b', 'lb'), null);
    await broker.outbox.append('held', message(1), ROOMY, { origin: 'a' });
    await broker.outbox.append('free', message(1), ROOMY, { origin: 'a' });
    await broker.outbox.append('held', message(2), ROOMY, { origin: 'b' }); // the holder's own node: no wake-up needed
    await broker.outbox.appendMany(['held', 'free'], message(3), ROOMY, { origin: 'a' });
    await broker.bus.publish({ kind: 'ended', sessionId: 'marker', reason: 'r' });
    await a.next((e) => e.kind === 'ended' && e.sessionId === 'marker');
    await b.next((e) => e.kind === 'ended' && e.sessionId === 'marker');
    const wakes = (log: NodeLog) => log.events.filter((e) => e.kind === 'wake').map((e) => e.sessionId);
    expect(wakes(a)).toEqual([]);
    expect(wakes(b)).toEqual(['held', 'free', 'held', 'free']);
    await broker.bus.leave('a');
    await broker.bus.leave('b');
  });

  it('expiry is the store\'s: a session with no link ends ttl after it lost it, and every node hears it', async () => {
    const broker = brokerOf();
    const log = new NodeLog();
    await broker.bus.join('n1', log.listener);
    const short = { ...LIMITS, ttlMs: 150 };
    const started = Date.now();
    await broker.sessions.create(record('idle'), short);
    await broker.sessions.create(record('touched'), short);
    await broker.sessions.create(record('held'), short);
    await broker.sessions.attach('held', holder('n1', 'l1'), null);
    // A session that lives three TTLs, offline: its end is the clock the others are measured against.
    await broker.sessions.create(record('witness'), { ...short, ttlMs: 3 * short.ttlMs });
    await broker.rooms.join('idle', 'blue');
    expect(await broker.sessions.touch('touched', short.ttlMs)).toEqual({ epoch: 'epoch-touched', lastSeq: 0, trimmed: 0, inboundSeq: 0 });
    const touching = setInterval(() => void broker.sessions.touch('touched', short.ttlMs), 30);
    try {
      await log.next((e) => e.kind === 'ended' && e.sessionId === 'idle' && e.reason === 'session_expired');
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
      expect(await broker.sessions.lookup('idle')).toEqual({ state: 'ended', reason: 'session_expired' });
      expect(await broker.rooms.members('blue')).toEqual([]);
      // held and touched outlive several TTLs: still live once the witness has expired
      await log.next((e) => e.kind === 'ended' && e.sessionId === 'witness');
      expect((await broker.sessions.lookup('touched')).state).toBe('live');
      expect((await broker.sessions.lookup('held')).state).toBe('live');
      expect(await broker.sessions.touch('idle', short.ttlMs)).toBeUndefined();
    } finally {
      clearInterval(touching);
    }
    await broker.sessions.detach('held', holder('n1', 'l1'), short.ttlMs);
    await log.next((e) => e.kind === 'ended' && e.sessionId === 'held');
    await broker.bus.leave('n1');
  });
});
