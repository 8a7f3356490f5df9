/**
 * The gRPC transport on the wire (proto/duplex.proto), with a bare grpc-js client: the same
 * envelope, session and errors as WebSocket, and the statuses docs/transports.md names.
 */
import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplexService, SessionService } from '../lib/index.js';
import { GrpcLink } from '../lib/transports/grpc/grpc.link.js';
import { GrpcTransport } from '../lib/transports/grpc/grpc.transport.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { RawGrpcPeer } from './support/raw-grpc-peer.js';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let address: string;
const peers: RawGrpcPeer[] = [];

async function start(options: Parameters<typeof fixtureModule>[0] = {}): Promise<void> {
  t = await startTestApp(fixtureModule({ protocols: ['websocket', 'grpc'], grpc: { url: '127.0.0.1:0' }, ...options }));
  address = `127.0.0.1:${t.app.get(GrpcTransport).port}`;
}

async function hello(data: Record<string, unknown> = {}, metadata: Record<string, string> = {}) {
  const opened = await RawGrpcPeer.hello(address, data, metadata);
  peers.push(opened.peer);
  return opened;
}

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.cancel();
  await t.app.close();
});

describe('gRPC wire', () => {
  beforeEach(() => start());

  it('answers the hello with the welcome, echoes, and delivers a sequenced notification with the data as JSON text', async () => {
    const { peer, welcome } = await hello();
    expect(welcome).toMatchObject({ type: 'response', reply_to: 'hello-1', data: { resumed: false, limits: { max_payload: 1048576 } } });
    const sessionId = (welcome.data as { session_id: string }).session_id;
    peer.request('e1', 'echo', { text: 'hi', n: [1, 2] }, { seq: 1 });
    expect(await peer.reply('e1')).toMatchObject({ type: 'response', seq: 1, ack: 1, session_id: sessionId, data: { text: 'hi', n: [1, 2] } });
    await t.app.get(DuplexService).send(sessionId, 'news', { x: 1 });
    expect(await peer.next((f) => f.action === 'news')).toMatchObject({ type: 'notification', seq: 2, data: { x: 1 } });
    const sessions = await t.app.get(DuplexService).getSessions();
    expect(sessions.find((s) => s.sessionId === sessionId)).toMatchObject({ connected: true, transport: 'grpc' });
  });

  it('answers a bad data_json or a bad field with an error envelope and keeps the call open', async () => {
    const { peer } = await hello();
    peer.send({ id: 'b1', type: 'request', action: 'echo', data_json: '[1,2]', timestamp: 1 });
    expect(await peer.next((f) => f.reply_to === 'b1')).toMatchObject({ type: 'error', data: { code: 'bad_envelope' } });
    peer.send({ id: 'b2', type: 'request', action: 'echo', data_json: '{not json', timestamp: 1 });
    expect(await peer.next((f) => f.reply_to === 'b2')).toMatchObject({ type: 'error', data: { code: 'bad_envelope' } });
    peer.send({ id: 'b3', type: 'shout', action: 'echo', data_json: '{}', timestamp: 1 });
    expect(await peer.next((f) => f.reply_to === 'b3')).toMatchObject({ type: 'error', data: { code: 'bad_envelope' } });
    peer.request('ok', 'echo', { still: 'open' });
    expect((await peer.reply('ok')).data).toEqual({ still: 'open' });
  });

  it('ends a call whose bytes are not an Envelope with INVALID_ARGUMENT, and no other call is affected', async () => {
    const bystander = await hello();
    const { peer } = await hello();
    peer.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(await peer.ended).toMatchObject({ code: status.INVALID_ARGUMENT });
    bystander.peer.request('e', 'echo', { alive: true });
    expect((await bystander.peer.reply('e')).data).toEqual({ alive: true });
  });

  it('ends a call that sends more than maxPayload with RESOURCE_EXHAUSTED', async () => {
    const { peer } = await hello();
    peer.request('big', 'echo', { pad: 'x'.repeat(1_100_000) });
    expect(await peer.ended).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
  });

  it('a goodbye is answered and the call ends OK; the session is gone', async () => {
    const { peer, welcome } = await hello();
    const sessionId = (welcome.data as { session_id: string }).session_id;
    peer.request('bye', '$bye');
    expect(await peer.reply('bye')).toMatchObject({ type: 'response', action: '$bye' });
    expect(await peer.ended).toMatchObject({ code: status.OK });
    await expect(t.app.get(DuplexService).send(sessionId, 'x', {})).rejects.toMatchObject({ code: 'session_expired' });
  });

  it('a session opened over WebSocket resumes over gRPC and the WebSocket link is taken over', async () => {
    const ws = await RawPeer.hello(t.wsUrl);
    const data = ws.welcome.data as { session_id: string; resume_token: string };
    await t.app.get(DuplexService).send(data.session_id, 'n', { i: 1 });
    expect(await ws.peer.next((f) => f.action === 'n')).toMatchObject({ seq: 1 });
    const { peer, welcome } = await hello({ session_id: data.session_id, resume_token: data.resume_token, last_seq: 0 });
    expect(welcome.data).toMatchObject({ resumed: true });
    expect(await peer.next((f) => f.action === 'n')).toMatchObject({ seq: 1, data: { i: 1 } });
    expect(await ws.peer.closed).toMatchObject({ code: 4000 });
  });

  it('a client that cancels mid-stream leaves its session resumable', async () => {
    const { peer, welcome } = await hello();
    const data = welcome.data as { session_id: string; resume_token: string };
    for (let i = 0; i < 50; i++) void t.app.get(DuplexService).send(data.session_id, 'n', { i });
    peer.cancel();
    const again = await hello({ session_id: data.session_id, resume_token: data.resume_token, last_seq: 0 });
    expect(again.welcome.data).toMatchObject({ resumed: true });
    const seqs: number[] = [];
    while (seqs.length < 50) seqs.push((await again.peer.next((f) => f.action === 'n')).seq as number);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe('gRPC backpressure and fan-out', () => {
  it('a client that never reads fills the outbox, not the call; it gets everything in order once it reads', async () => {
    const highWaterMark = 64 * 1024;
    await start({ grpc: { url: '127.0.0.1:0', highWaterMark }, outbox: { maxMessages: 100_000, maxBytes: 256 * 1024 * 1024 } });
    const links: GrpcLink[] = [];
    const sessions = t.app.get(SessionService);
    const openLink = sessions.openLink.bind(sessions);
    sessions.openLink = (link) => {
      if (link instanceof GrpcLink) links.push(link);
      return openLink(link);
    };
    const { peer, welcome } = await hello();
    const sessionId = (welcome.data as { session_id: string }).session_id;
    peer.call.pause();
    const pad = 'x'.repeat(1000);
    const total = 20_000; // ~20 MB: far more than HTTP/2 windows and kernel buffers hold
    let maxBuffered = 0;
    for (let i = 0; i < total; i++) {
      await t.app.get(DuplexService).send(sessionId, 'bulk', { i, pad });
      maxBuffered = Math.max(maxBuffered, links[0].buffered);
    }
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThan(highWaterMark + 4 * 1100);
    // Still full: HTTP/2 took only what the client's flow-control window allows; the rest waits in the outbox.
    expect(links[0].writable).toBe(false);
    let next = 0;
    const done = new Promise<void>((resolve, reject) => {
      peer.call.on('data', (message: { seq?: number; data_json?: string }) => {
        if (!message.seq) return;
        const i = (JSON.parse(message.data_json ?? '{}') as { i: number }).i;
        if (i !== next) reject(new Error(`got ${i}, expected ${next}`));
        next++;
        if (message.seq % 500 === 0) peer.send({ id: `ack-${message.seq}`, type: 'ack', action: '', data_json: JSON.stringify({ seq: message.seq }), timestamp: 1 });
        if (next === total) resolve();
      });
    });
    peer.call.resume();
    await done;
  }, 60_000);

  it('one broadcast reaches WebSocket and gRPC clients, each once', async () => {
    await start();
    const ws = await RawPeer.hello(t.wsUrl);
    const grpc = await hello();
    expect(await t.app.get(DuplexService).broadcast('all', { n: 1 })).toBe(2);
    await t.app.get(DuplexService).broadcast('all', { n: 2 });
    for (const peer of [ws.peer, grpc.peer]) {
      expect((await peer.next((f) => f.action === 'all')).data).toEqual({ n: 1 });
      expect((await peer.next((f) => f.action === 'all')).data).toEqual({ n: 2 });
    }
    await ws.peer.close();
  });
});

describe('gRPC shutdown', () => {
  it('app.close() ends every call UNAVAILABLE (shutdown: resume elsewhere) and stops the server', async () => {
    await start();
    const opened = await Promise.all([hello(), hello(), hello()]);
    const closing = t.app.close();
    for (const { peer } of opened) expect(await peer.ended).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/^shutdown/) });
    await closing;
    const late = new RawGrpcPeer(address);
    peers.push(late);
    late.request('h', '$hello');
    expect(await late.ended).toMatchObject({ code: status.UNAVAILABLE });
    await start(); // afterEach closes an app
  });
});

describe('gRPC authentication', () => {
  beforeEach(() => start({ authenticate: tokenAuth }));

  it('reads the call metadata; a refusal ends the call UNAUTHENTICATED and makes no session', async () => {
    const refused = new RawGrpcPeer(address, { token: 'mallory' });
    peers.push(refused);
    refused.request('h', '$hello');
    expect(await refused.ended).toMatchObject({ code: status.UNAUTHENTICATED });
    expect(await t.app.get(DuplexService).getSessions()).toEqual([]);
    const { peer } = await hello({}, { token: 'alice' });
    peer.request('w', 'whoami');
    expect((await peer.reply('w')).data).toMatchObject({ principal: { id: 'alice' }, transport: 'grpc' });
  });
});
