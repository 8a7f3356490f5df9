/** The order in which a link reports, with a stand-in for the grpc-js call (whose stream may hold messages back). */
import { Duplex } from 'node:stream';
import { type Client, connectivityState, Metadata, status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { LinkCloseInfo } from '../client-transport.js';
import type { EnvelopeMessage } from './grpc-envelope.codec.js';
import { type EnvelopeCall, GrpcLink } from './grpc.link.js';

/** What grpc-js does with a call: messages are pushed into the stream; the status is an event of its own. */
class FakeCall extends Duplex {
  cancelled = false;
  constructor() {
    super({ objectMode: true, read() {}, write: (_chunk, _encoding, done) => done() });
  }
  cancel(): void {
    this.cancelled = true;
  }
}

const fakeClient = { close: () => undefined, getChannel: () => ({ getConnectivityState: () => connectivityState.READY }) } as unknown as Client;

describe('GrpcLink', () => {
  it('reports the end only after every message the stream still held', async () => {
    const call = new FakeCall();
    const log: string[] = [];
    let closed!: (info: LinkCloseInfo) => void;
    const end = new Promise<LinkCloseInfo>((resolve) => (closed = resolve));
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    new GrpcLink(fakeClient, call as unknown as EnvelopeCall, {
      open: () => {
        log.push('open');
        opened();
      },
      message: (text) => log.push((JSON.parse(text) as { id: string }).id),
      error: () => log.push('error'),
      close: (info) => {
        log.push('close');
        closed(info);
      },
      position: () => 0,
    }, 'grpc://h:1');
    // As grpc-js does when a message and the trailers arrive together: the stream has not yet
    // emitted the message (it flows from the next tick) when the status is emitted.
    await open;
    const message: EnvelopeMessage = { id: 'last', type: 'notification', action: 'a', data_json: '{}' };
    call.push(message);
    call.push(null);
    call.emit('status', { code: Status.ABORTED, details: 'taken_over', metadata: new Metadata() });
    expect(await end).toEqual({ code: 4000, reason: 'taken_over' });
    expect(log).toEqual(['open', 'last', 'close']);
  });
});
