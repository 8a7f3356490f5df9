import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-http-server.js';

interface Exchange {
  path: string;
  res: ServerResponse;
}

interface Loss {
  suffix: string;
  resolve: (body: string) => void;
}

/**
 * An HTTP reverse proxy on loopback in front of several nodes, with no sticky sessions at all:
 * every request (not every connection: fetch keeps connections alive) goes to the next node in
 * turn, counted per path, so consecutive polls of a session alternate between the nodes, and so
 * do consecutive POSTs. Bodies stream both ways (held polls and event streams go through). The
 * test reads how many requests of each path every node got, and can cut the exchanges in flight.
 */
export class RoundRobinProxy {
  private readonly turns = new Map<string, number>();
  private readonly counts = new Map<string, number[]>();
  private readonly exchanges = new Set<Exchange>();
  private loss: Loss | undefined;
  /** Keep-alive to the nodes, as a real balancer does: a node never sees which client a socket serves. */
  private readonly agent = new Agent({ keepAlive: true });
  private listener!: LoopbackHttpServer;

  private constructor(private readonly targets: readonly number[]) {}

  /** `targets`: the nodes' ports; node i of every count is `targets[i]`. */
  static async start(targets: readonly number[]): Promise<RoundRobinProxy> {
    const proxy = new RoundRobinProxy(targets);
    proxy.listener = await LoopbackHttpServer.listen((req, res) => proxy.forward(req, res));
    return proxy;
  }

  get port(): number {
    return this.listener.port;
  }

  /** Requests forwarded so far whose path (without the query) ends with `suffix`, per node. */
  forwarded(suffix: string): number[] {
    const perNode = this.targets.map(() => 0);
    for (const [path, counts] of this.counts) {
      if (path.endsWith(suffix)) counts.forEach((n, i) => (perNode[i] += n));
    }
    return perNode;
  }

  /** Destroys the client side of every exchange in flight whose path ends with `suffix` (the client sees it fail). Returns how many. */
  cut(suffix: string): number {
    let cut = 0;
    for (const exchange of this.exchanges) {
      if (!exchange.path.endsWith(suffix)) continue;
      exchange.res.destroy();
      cut++;
    }
    return cut;
  }

  /**
   * Loses the next 200 answer to a request whose path ends with `suffix` and whose body is not `[]`:
   * the node sent it, the client never gets it (its socket is destroyed instead). Resolves with the
   * body lost. Answers of that path are read whole (not streamed) until then.
   */
  loseNextAnswer(suffix: string): Promise<string> {
    if (this.loss !== undefined) throw new Error('An answer is already to be lost');
    return new Promise<string>((resolve) => (this.loss = { suffix, resolve }));
  }

  async close(): Promise<void> {
    await this.listener.close();
    this.agent.destroy();
  }

  private next(path: string): number {
    const turn = this.turns.get(path) ?? 0;
    this.turns.set(path, turn + 1);
    const node = turn % this.targets.length;
    let counts = this.counts.get(path);
    if (counts === undefined) this.counts.set(path, (counts = this.targets.map(() => 0)));
    counts[node]++;
    return node;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const node = this.next(path);
    const exchange: Exchange = { path, res };
    this.exchanges.add(exchange);
    const upstream = httpRequest(
      { host: '127.0.0.1', port: this.targets[node], method: req.method, path: req.url, headers: req.headers, agent: this.agent },
      (answer) => {
        if (this.loss !== undefined && path.endsWith(this.loss.suffix)) {
          this.maybeLose(answer, res);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // Each chunk as it comes: an event stream must not wait in a buffer.
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.once('close', () => {
      this.exchanges.delete(exchange);
      // The client went away (or the test cut it): the node sees its request go away too.
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private maybeLose(answer: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const loss = this.loss;
      if (loss === undefined || answer.statusCode !== 200 || body === '[]') {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(body);
        return;
      }
      this.loss = undefined;
      res.destroy();
      loss.resolve(body);
    });
    answer.on('error', () => res.destroy());
  }
}
