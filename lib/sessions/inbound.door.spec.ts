import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrokerUnavailableError } from '../brokers/broker-unavailable.error.js';
import { resolveDuplexOptions } from '../duplex-options.resolver.js';
import { type Envelope, MessageType, ProtocolType } from '../envelope/envelope.js';
import { controlEnvelope } from '../envelope/envelope.factory.js';
import { InboundDoor } from './inbound.door.js';
import type { InboundOutcome, InboundProcessor, InboundSource, InboundWork } from './inbound.processor.js';
import { InflightLimiter } from './inflight.limiter.js';
import { LocalSessions } from './local-sessions.js';
import type { SessionRegistry } from './session.registry.js';

function envelope(id: string, type: string, action = '', seq?: number): Envelope {
  return { id, type, action, data: {}, timestamp: 1, ...(seq === undefined ? {} : { seq }) } as Envelope;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Stands in for InboundProcessor.start: each envelope's steps are settled by the test. */
class FakeProcessor {
  readonly started: Array<{ id: string; source: InboundSource; accept: (o: InboundOutcome) => void; finish: (o: InboundOutcome) => void }> = [];

  start(source: InboundSource, envelope: Envelope): InboundWork {
    const accepted = deferred<InboundOutcome>();
    const finished = deferred<InboundOutcome>();
    // As the real one: finishing settles `accepted` too (with the final outcome, unless it was accepted before).
    const finish = (outcome: InboundOutcome) => {
      accepted.resolve(outcome);
      finished.resolve(outcome);
    };
    this.started.push({ id: envelope.id, source, accept: accepted.resolve, finish });
    return { accepted: accepted.promise, finished: finished.promise };
  }

  get ids(): string[] {
    return this.started.map((s) => s.id);
  }

  step(id: string): FakeProcessor['started'][number] {
    return this.started.find((s) => s.id === id)!;
  }
}

function setUp(maxInflight = 2) {
  const registry = { verify: async (id: string) => ({ id, principal: null }) } as unknown as SessionRegistry;
  const processor = new FakeProcessor();
  const limiter = new InflightLimiter(new LocalSessions(), resolveDuplexOptions({ maxInflight }));
  const door = new InboundDoor(registry, processor as unknown as InboundProcessor, limiter);
  const deliver = (envelopes: Envelope[], resolveWhen?: 'accepted' | 'finished') =>
    door.deliver({ sessionId: 's', token: 't', envelopes, handshake: { transport: ProtocolType.LONG_POLLING, headers: {}, query: {}, remoteAddress: undefined }, resolveWhen });
  return { processor, limiter, deliver };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('InboundDoor', () => {
  afterEach(() => vi.restoreAllMocks());

  it("resolveWhen 'accepted': answers with the ack once every envelope is accepted, while handlers still run", async () => {
    const { processor, deliver } = setUp();
    let answered = false;
    const result = deliver([envelope('q1', MessageType.REQUEST, 'slow', 1), envelope('q2', MessageType.REQUEST, 'echo', 2)], 'accepted').then((r) => {
      answered = true;
      return r;
    });
    await settle();
    expect(processor.ids).toEqual(['q1', 'q2']);
    processor.step('q1').accept({ inboundSeq: 1 });
    await settle();
    expect(answered).toBe(false);
    processor.step('q2').accept({ inboundSeq: 2 });
    expect(await result).toEqual({ ok: true, replies: [expect.objectContaining({ type: 'ack', data: { seq: 2 } })], answers: [] });
  });

  it("the default ('finished') waits for the handlers and hands back their answers", async () => {
    const { processor, deliver } = setUp();
    let answered = false;
    const result = deliver([envelope('q1', MessageType.REQUEST, 'echo', 1)]).then((r) => {
      answered = true;
      return r;
    });
    await settle();
    processor.step('q1').accept({ inboundSeq: 1 });
    await settle();
    expect(answered).toBe(false);
    const answer = { seq: 1, message: {} } as never;
    processor.step('q1').finish({ inboundSeq: 1, answer });
    expect(await result).toMatchObject({ ok: true, answers: [answer] });
  });

  it('starts an envelope that may run a handler only below maxInflight, in order, and frees the slot when it finished', async () => {
    const { processor, limiter, deliver } = setUp(2);
    let answered = false;
    const batch = [1, 2, 3].map((n) => envelope(`q${n}`, MessageType.REQUEST, 'slow', n));
    batch.push(envelope('a', MessageType.ACK)); // no handler, but started after q3 all the same
    const result = deliver(batch, 'accepted').then((r) => {
      answered = true;
      return r;
    });
    await settle();
    expect(processor.ids).toEqual(['q1', 'q2']);
    expect(limiter.waiters('s')).toBe(1);
    processor.step('q1').accept({ inboundSeq: 1 });
    processor.step('q2').accept({ inboundSeq: 2 });
    await settle();
    expect(answered).toBe(false);
    expect(processor.ids).toEqual(['q1', 'q2']);
    processor.step('q1').finish({ inboundSeq: 1 });
    await settle();
    expect(processor.ids).toEqual(['q1', 'q2', 'q3', 'a']);
    expect(limiter.inflight('s')).toBe(2);
    processor.step('q3').accept({ inboundSeq: 3 });
    processor.step('a').finish({});
    expect(await result).toMatchObject({ ok: true, replies: [expect.objectContaining({ type: 'ack', data: { seq: 3 } })] });
    processor.step('q2').finish({ inboundSeq: 2 });
    processor.step('q3').finish({ inboundSeq: 3 });
    await settle();
    expect(limiter.inflight('s')).toBe(0);
    // The door holds the slots itself: the processor must not count the handlers again.
    expect(processor.started.every((s) => s.source.holdsSlots === true)).toBe(true);
  });

  it('runs nothing after a $bye', async () => {
    const { processor, deliver } = setUp();
    const result = deliver([envelope('q1', MessageType.REQUEST, 'echo', 1), envelope('bye', MessageType.REQUEST, '$bye'), envelope('q2', MessageType.REQUEST, 'echo', 2)], 'accepted');
    await settle();
    expect(processor.ids).toEqual(['q1', 'bye']);
    processor.step('q1').accept({ inboundSeq: 1 });
    processor.step('bye').source.sendControl(controlEnvelope(MessageType.RESPONSE, 's', {}, { action: '$bye', reply_to: 'bye' }));
    processor.step('bye').finish({});
    expect(await result).toMatchObject({ ok: true, replies: [expect.objectContaining({ action: '$bye' }), expect.objectContaining({ type: 'ack' })] });
  });

  it('rejects when the broker was unreachable at the accept step (the caller fails, the client resends)', async () => {
    const { processor, deliver } = setUp();
    const result = deliver([envelope('q1', MessageType.REQUEST, 'echo', 1)], 'accepted');
    await settle();
    const unreachable = new BrokerUnavailableError('down', false);
    processor.step('q1').finish({ unreachable });
    await expect(result).rejects.toBe(unreachable);
  });

  it('logs a reply that comes after the batch was answered instead of dropping it silently', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { processor, deliver } = setUp();
    const result = deliver([envelope('q1', MessageType.REQUEST, 'echo', 1)], 'accepted');
    await settle();
    processor.step('q1').accept({ inboundSeq: 1 });
    const answered = await result;
    processor.step('q1').source.sendControl(controlEnvelope(MessageType.ERROR, 's', { code: 'internal', message: 'x' }, { reply_to: 'q1' }));
    expect(answered.ok && answered.replies).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/error internal replying to "q1" came after its batch was answered/));
  });
});
