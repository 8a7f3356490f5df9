import { DuplexClient } from '../../lib/client/index.js';

type ClientOptions = ConstructorParameters<typeof DuplexClient>[0];

/** Creates real DuplexClients and disconnects every one of them after the test. */
export class ClientPool {
  private readonly clients: DuplexClient[] = [];

  create(options: ClientOptions): DuplexClient {
    const client = new DuplexClient(options);
    this.clients.push(client);
    return client;
  }

  async connect(options: ClientOptions): Promise<DuplexClient> {
    const client = this.create(options);
    const ok = await client.connect();
    if (!ok) throw new Error(`DuplexClient could not connect to ${String(options.serverUrl)}`);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.disconnect()));
  }
}

/** A promise that resolves with the first value `register` hands to its callback, or rejects at the deadline. */
export function nextValue<T>(register: (resolve: (value: T) => void) => void, timeoutMs = 5000, what = 'value'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No ${what} within ${timeoutMs} ms`)), timeoutMs);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Lets the event loop run for `ms`: paces a producer over time, never used to wait for a result. */
export const pace = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));
