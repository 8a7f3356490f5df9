/**
 * Two nodes, each with its own RedisBroker on one Redis, behind an HTTP proxy with no sticky
 * sessions at all: every request goes to the other node than the last of its path, so a
 * long-polling client's polls alternate between the nodes, and so do its POSTs (an SSE client's
 * POSTs too, and its stream after each reconnect). Both nodes stream notifications, broadcasts and
 * room broadcasts to the session in turn and ask it questions while it sends requests, and the
 * proxy breaks the link now and then (a poll's answer lost on the way, an event stream cut): every
 * message arrives once and in order (over long-polling, once on the wire too), every request runs
 * once, and a pull held on one node is woken by a message sent on the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DuplexClient } from '../lib/client/index.js';
import type { FetchLike } from '../lib/client/transports/http-like.js';
import { PullWaiters } from '../lib/delivery/pull.waiters.js';
import { HeldRequests } from '../lib/transports/http/held-requests.js';
import { ClientPool, deadline } from './support/clients.js';
import { RedisNodes } from './support/redis-nodes.js';
import { RoundRobinProxy } from './support/round-robin-proxy.js';
import { until } from './support/test-app.js';

/** Notifications, both nodes in turn: sends, broadcasts to every session (one here) and to a room. */
const NOTIFICATIONS = 1500;
/** At most this many notifications ahead of the client: the stream comes down in many pulls. */
const WINDOW = 12;
const REQUESTS = 240;
/** Requests sent together (one POST), answered before the next group goes. */
const GROUP = 3;
/** Server-to-client requests, from both nodes in turn, answered by the client's callback. */
const QUESTIONS = 20;
/** Messages sent by the other node than the one holding the pull: two sends, two room broadcasts, and again. */
const WAKES = 8;
const WAIT_MS = 30_000;

interface Case {
  transport: 'long-polling' | 'sse';
  /** The path of the way down, as the proxy counts it. */
  down: string;
  /** Links broken by the proxy mid-run: the client resumes, through the proxy, on both nodes. */
  breaks: number;
  /**
   * How the proxy breaks the link. Long-polling: a poll's answer carrying messages is lost on the
   * way (the node sent it, the client never gets it). SSE: the stream in flight is cut (the resume
   * opens the next one on the other node).
   */
  breakLink: (proxy: RoundRobinProxy) => Promise<void>;
}

const CASES: Case[] = [
  {
    transport: 'long-polling',
    down: '/poll',
    breaks: 4,
    breakLink: async (proxy) => {
      expect(await proxy.loseNextAnswer('/poll')).toMatch(/"seq":\d+/);
    },
  },
  {
    transport: 'sse',
    down: '/sse',
    breaks: 6,
    breakLink: async (proxy) => {
      expect(proxy.cut('/sse'), 'streams in flight').toBe(1);
    },
  },
];

/** Counts what has arrived and lets a caller wait for a count. */
class Progress {
  private count = 0;
  private readonly waiters: Array<{ n: number; resolve: () => void }> = [];

  get value(): number {
    return this.count;
  }

  add(): void {
    this.count++;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].n > this.count) continue;
      this.waiters[i].resolve();
      this.waiters.splice(i, 1);
    }
  }

  reached(n: number, what: string): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return deadline(new Promise<void>((resolve) => this.waiters.push({ n, resolve })), WAIT_MS, `${what} (${this.count} of ${n} so far)`);
  }
}

/** A fetch that records the seq of every message a poll brought down, on the wire (before the client's de-duplication). */
function tappingFetch(seqs: number[]): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!new URL(url).pathname.endsWith('/poll')) return response;
    const text = await response.text();
    const batch: unknown = response.status === 200 ? JSON.parse(text) : undefined;
    if (Array.isArray(batch)) for (const frame of batch as Array<{ seq?: unknown }>) if (typeof frame.seq === 'number') seqs.push(frame.seq);
    return { status: response.status, headers: response.headers, body: null, text: () => Promise.resolve(text) };
  };
}

describe.each(CASES)('two nodes on Redis behind a round-robin HTTP proxy, over $transport', ({ transport, down, breaks, breakLink }) => {
  let cluster: RedisNodes | undefined;
  let proxy: RoundRobinProxy | undefined;
  const pool = new ClientPool();

  afterEach(async () => {
    await pool.closeAll();
    await proxy?.close();
    await cluster?.close();
    cluster = undefined;
    proxy = undefined;
  });

  it('every poll/stream and POST alternates nodes: every message once and in order, every request run once, a held pull woken from the other node', async () => {
    cluster = await RedisNodes.start(2, { protocols: ['sse', 'long-polling'] });
    const { apps } = cluster;
    proxy = await RoundRobinProxy.start(cluster.ports);
    const nodes = cluster.services;
    const wire: number[] = [];
    const client: DuplexClient = pool.create({
      serverUrl: `http://127.0.0.1:${proxy.port}`,
      protocolType: transport,
      // Long enough that no held poll ends by its deadline during the run.
      http: { fetch: tappingFetch(wire), pollWaitMs: 60_000 },
      reconnect: { baseMs: 2, maxMs: 40 },
      requestTimeoutMs: WAIT_MS,
    });
    const received: number[] = [];
    const progress = new Progress();
    const onNotification = (data: Record<string, unknown>): void => {
      received.push(data.i as number);
      progress.add();
    };
    client.registerCallback('tick', onNotification);
    client.registerCallback('room', onNotification);
    client.registerCallback('question', (data) => ({ answer: (data.q as number) * 2 }));
    const lost: unknown[] = [];
    client.on('session_lost', (info) => lost.push(info));
    const reconnected = new Progress();
    client.on('reconnected', () => reconnected.add());
    expect(await client.connect()).toBe(true);
    const sessionId = client.sessionId!;
    // Joined on node 1; the room broadcasts come from both.
    await nodes[1].join(sessionId, 'blue');

    const producer = (async () => {
      for (let i = 0; i < NOTIFICATIONS; i++) {
        if (i >= WINDOW) await progress.reached(i - WINDOW + 1, `notification ${i - WINDOW}`);
        const node = nodes[i % 2];
        if (i % 5 === 4) expect(await node.broadcast('room', { i }, { rooms: ['blue'] })).toBe(1);
        else if (i % 5 === 2) expect(await node.broadcast('tick', { i })).toBe(1);
        else await node.send(sessionId, 'tick', { i });
      }
    })();
    const answers: Array<Record<string, unknown>> = [];
    const sender = (async () => {
      for (let i = 0; i < REQUESTS; i += GROUP) {
        const group = Array.from({ length: Math.min(GROUP, REQUESTS - i) }, (_, j) => client.request('counted', { key: `${transport}-${i + j}` }));
        answers.push(...(await Promise.all(group)));
      }
    })();
    const questions = (async () => {
      const got: unknown[] = [];
      for (let q = 0; q < QUESTIONS; q++) got.push(await nodes[q % 2].request(sessionId, 'question', { q }, { timeoutMs: WAIT_MS }));
      return got;
    })();
    const breaker = (async () => {
      for (let k = 0; k < breaks; k++) {
        await progress.reached(Math.floor(((k + 1) * NOTIFICATIONS) / (breaks + 2)), `the notifications before break ${k + 1}`);
        await deadline(breakLink(proxy!), WAIT_MS, `break ${k + 1}`);
        await reconnected.reached(k + 1, `the reconnect after break ${k + 1}`);
      }
    })();

    await deadline(Promise.all([producer, sender, breaker]), 4 * WAIT_MS, 'the run');
    expect(await deadline(questions, WAIT_MS, 'the answers to the server\'s questions')).toEqual(Array.from({ length: QUESTIONS }, (_, q) => ({ answer: q * 2 })));
    await progress.reached(NOTIFICATIONS, 'every notification');
    expect(received).toEqual(Array.from({ length: NOTIFICATIONS }, (_, i) => i));
    expect(answers.map((a) => a.key)).toEqual(Array.from({ length: REQUESTS }, (_, i) => `${transport}-${i}`));
    expect(answers.every((a) => a.runs === 1)).toBe(true);
    for (let i = 0; i < REQUESTS; i++) expect(cluster.runs(`${transport}-${i}`), `runs of request ${i}`).toBe(1);
    const ranOn = cluster.keysRan().map((keys) => keys.length);
    expect(ranOn.every((n) => n > 0), `requests ran on both nodes: ${ranOn}`).toBe(true);
    expect(reconnected.value).toBe(breaks);
    expect(lost).toEqual([]);

    // The pull held on one node; the message sent from the other; it comes down that pull.
    const woken: Array<{ r: number; requests: number[] }> = [];
    const wakes = new Progress();
    client.registerCallback('wake', (data) => {
      woken.push({ r: data.r as number, requests: proxy!.forwarded(down) });
      wakes.add();
    });
    const holding = (): number[] =>
      apps.flatMap((t, i) => (t.app.get(HeldRequests).holds(sessionId) && t.app.get(PullWaiters).count(sessionId) > 0 ? [i] : []));
    const wokenBy = new Set<string>();
    for (let r = 0; r < WAKES; r++) {
      await until(() => holding().length === 1, WAIT_MS, `a pull held on one node (round ${r})`);
      const [holder] = holding();
      const before = proxy.forwarded(down);
      const sender = nodes[1 - holder];
      // A broadcast appends through another path than a send, and wakes the holder its own way.
      const kind = Math.floor(r / 2) % 2 === 0 ? 'send' : 'broadcast';
      if (kind === 'send') await sender.send(sessionId, 'wake', { r });
      else expect(await sender.broadcast('wake', { r }, { rooms: ['blue'] })).toBe(1);
      wokenBy.add(`${kind} on node ${1 - holder}`);
      await wakes.reached(r + 1, `wake-up ${r}`);
      // No new pull went out before the message arrived: the held one carried it.
      expect(woken[r]).toEqual({ r, requests: before });
    }
    // Long-polling: the held poll alternates nodes too, so both nodes woke the other both ways.
    if (transport === 'long-polling') expect(wokenBy.size, [...wokenBy].join(', ')).toBe(4);

    const pulls = proxy.forwarded(down);
    const posts = proxy.forwarded('/messages');
    const hellos = proxy.forwarded('/session');
    expect(pulls.every((n) => n > 0), `${down} per node: ${pulls}`).toBe(true);
    expect(posts.every((n) => n >= REQUESTS / GROUP / 4), `/messages per node: ${posts}`).toBe(true);
    if (transport === 'long-polling') {
      // Every sequenced message came down once, in order, on the wire: no poll repeated one.
      expect(wire).toEqual(Array.from({ length: NOTIFICATIONS + REQUESTS + QUESTIONS + WAKES }, (_, i) => i + 1));
      expect(Math.min(...pulls)).toBeGreaterThanOrEqual(NOTIFICATIONS / WINDOW / 4);
    } else {
      expect(pulls.reduce((a, b) => a + b)).toBe(breaks + 1);
    }
    console.log(`${transport} over two nodes: ${down} per node ${pulls}, /messages ${posts}, /session ${hellos}, requests run per node ${ranOn}, ${reconnected.value} reconnects`);
  }, 120_000);
});
