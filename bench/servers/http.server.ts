/**
 * The floor for the HTTP transports: a raw `node:http` echo server with both ways down, SSE
 * (`GET /sse?id=N`, a `text/event-stream`) and long-polling (`GET /poll?id=N`, held until there is
 * something). `POST /session` gives an id; `POST /messages` (header `x-session`) echoes its body
 * on that session's stream or poll, unread: one message a line, so a client's batch is echoed as
 * it came (as one event of several `data:` lines, or lines of a poll answer). `POST /bye` ends the
 * session. No envelope, no seq, no acks: only what it takes to echo. Broadcast writes one
 * pre-serialised line to every stream, or queues it for every poll.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { broadcastData } from '../lib/payload.js';
import { runServer } from './harness.js';

interface RawSession {
  stream?: http.ServerResponse;
  /** Long-polling: what waits for the next poll, and the poll held, if any. */
  queue: string[];
  held?: http.ServerResponse;
  timer?: NodeJS.Timeout;
}

const POLL_HOLD_MS = 25_000;
const sessions = new Map<string, RawSession>();
let nextId = 0;

/** SSE: each line of `text` one `data:` line of one event (EventSource joins them back with "\n"). */
function sseEvent(text: string): string {
  return `data: ${text.replaceAll('\n', '\ndata: ')}\n\n`;
}

function answerPoll(session: RawSession): void {
  const res = session.held!;
  session.held = undefined;
  clearTimeout(session.timer);
  const body = session.queue.join('\n');
  session.queue = [];
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
}

function deliver(session: RawSession, text: string): void {
  if (session.stream) session.stream.write(sseEvent(text));
  else {
    session.queue.push(text);
    if (session.held) answerPoll(session);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

function end(res: http.ServerResponse, status: number, body = ''): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'POST') {
    const body = await readBody(req);
    if (url.pathname === '/session') {
      const id = String(++nextId);
      sessions.set(id, { queue: [] });
      return end(res, 200, id);
    }
    const id = req.headers['x-session'] as string;
    const session = sessions.get(id);
    if (!session) return end(res, 410);
    if (url.pathname === '/messages') {
      deliver(session, body);
      return end(res, 204);
    }
    if (url.pathname === '/bye') {
      sessions.delete(id);
      session.stream?.end();
      if (session.held) answerPoll(session);
      return end(res, 204);
    }
    return end(res, 404);
  }
  const session = sessions.get(url.searchParams.get('id') ?? '');
  if (!session) return end(res, 410);
  if (url.pathname === '/sse') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(': open\n\n');
    session.stream = res;
    res.on('close', () => {
      if (session.stream === res) session.stream = undefined;
    });
    return;
  }
  if (url.pathname === '/poll') {
    if (session.held) answerPoll(session); // a newer poll takes over
    session.held = res;
    if (session.queue.length > 0 || url.searchParams.get('wait') === '0') return answerPoll(session);
    session.timer = setTimeout(() => session.held === res && answerPoll(session), POLL_HOLD_MS);
    res.on('close', () => {
      if (session.held === res) {
        session.held = undefined;
        clearTimeout(session.timer);
      }
    });
    return;
  }
  end(res, 404);
}

await runServer(async () => {
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => sessions.size,
    broadcast(round, burst) {
      for (let i = 0; i < burst; i++) {
        const text = JSON.stringify(broadcastData(round, i));
        for (const session of sessions.values()) deliver(session, text);
      }
    },
  };
});
