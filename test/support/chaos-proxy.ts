import net from 'node:net';

interface Pair {
  client: net.Socket;
  server: net.Socket;
  blackholed: boolean;
  /** What the server sends is dropped; what the client sends still reaches it. */
  deaf: boolean;
}

/**
 * A TCP proxy on loopback between a client and the server, able to break links the way networks
 * do: kill a side abruptly, cut a link silently (a partition: both sockets stay open, the bytes
 * each side writes vanish), lose only the server's replies, or refuse new connections.
 */
export class ChaosProxy {
  private readonly pairs = new Set<Pair>();
  private refusing = false;
  private constructor(private readonly server: net.Server) {}

  /** `target`: the server's port, or a function choosing one per connection (several nodes behind one address). */
  static async start(target: number | (() => number)): Promise<ChaosProxy> {
    const server = net.createServer();
    const proxy = new ChaosProxy(server);
    server.on('connection', (client) => proxy.accept(client, typeof target === 'number' ? target : target()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** Destroys the proxy's socket to the server first: the server sees its socket die. Returns the links killed. */
  killServerSide(): number {
    for (const pair of this.pairs) pair.server.destroy();
    return this.pairs.size;
  }

  /** Destroys the proxy's socket to the client first: the client sees its link die. Returns the links killed. */
  killClientSide(): number {
    for (const pair of this.pairs) pair.client.destroy();
    return this.pairs.size;
  }

  /**
   * The client's side dies and the client knows it at once, while the server's socket stays open
   * and silent (the server has not noticed): the set-up of a reconnect at 0 ms.
   */
  dropClientSide(): void {
    for (const pair of this.pairs) {
      pair.blackholed = true;
      pair.client.destroy();
    }
  }

  /** While refusing, new connections are closed as soon as they arrive (the client stays offline). */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** On current links, the server's answers vanish while the client's bytes still reach it: a command runs, its reply is lost. */
  dropReplies(): void {
    for (const pair of this.pairs) pair.deaf = true;
  }

  /** Silently drops everything on current links, in both directions, keeping both sockets open. */
  partition(): void {
    for (const pair of this.pairs) pair.blackholed = true;
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.server.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, targetPort: number): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const server = net.connect(targetPort, '127.0.0.1');
    const pair: Pair = { client, server, blackholed: false, deaf: false };
    this.pairs.add(pair);
    const end = (): void => {
      // A partitioned link carries nothing, not even the news that the other side went away.
      if (pair.blackholed && !(client.destroyed && server.destroyed)) return;
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('data', (chunk) => {
      if (!pair.blackholed) server.write(chunk);
    });
    server.on('data', (chunk) => {
      if (!pair.blackholed && !pair.deaf) client.write(chunk);
    });
    for (const socket of [client, server]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}
