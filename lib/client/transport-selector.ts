/**
 * Chooses the transport of each connection attempt from the ordered candidates. Candidates this
 * build, platform or configuration cannot run are dropped at construction (an error if none is
 * left). An attempt walks the rest, starting with the one that last got a welcome; with `auto`,
 * only those the server says it serves (negotiate.ts).
 */
import { DuplexError } from '../envelope/duplex.error.js';
import type { ProtocolType } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { ResolvedTransportOptions } from './client-options.js';
import type { ClientTransport, ClientTransportFactory } from './transports/client-transport.js';
import { type Negotiate, servedOnly } from './transports/negotiate.js';
import type { ClientTransportFactories } from './transports/transport-factories.js';

export class TransportSelector {
  readonly candidates: readonly ProtocolType[];
  private readonly factories = new Map<ProtocolType, ClientTransportFactory>();
  private readonly created = new Map<ProtocolType, Promise<ClientTransport>>();
  private preferred: ProtocolType;

  constructor(
    requested: readonly ProtocolType[],
    factories: ClientTransportFactories,
    private readonly options: ResolvedTransportOptions,
    private readonly negotiate?: Negotiate,
  ) {
    const skipped: string[] = [];
    for (const name of requested) {
      const factory = factories[name];
      const reason = factory === undefined ? 'no such transport' : factory.unavailable(options);
      if (factory === undefined || reason !== undefined) skipped.push(`"${name}": ${reason}`);
      else this.factories.set(name, factory);
    }
    this.candidates = [...this.factories.keys()];
    const first = this.candidates[0];
    if (first === undefined) {
      const what = requested.length === 1 ? 'The transport asked for cannot' : 'None of the transports asked for can';
      throw new DuplexError(ErrorCode.BAD_REQUEST, `${what} run here (${skipped.join('; ')}); use "websocket"`);
    }
    this.preferred = first;
  }

  /** One attempt's candidates, in the order to try them. Never rejects. */
  async walk(): Promise<ProtocolType[]> {
    const ordered = [this.preferred, ...this.candidates.filter((name) => name !== this.preferred)];
    // Asked at every attempt: a server restarted with other protocols is seen at the next reconnect.
    return this.negotiate === undefined || ordered.length === 1 ? ordered : servedOnly(ordered, await this.negotiate());
  }

  /** The transport `name`, made once; a failed making is forgotten, so a later attempt looks again. */
  transport(name: ProtocolType): Promise<ClientTransport> {
    let made = this.created.get(name);
    if (made === undefined) {
      const factory = this.factories.get(name);
      made = factory === undefined ? Promise.reject(new DuplexError(ErrorCode.BAD_REQUEST, `"${name}" is not a candidate`)) : factory.create(this.options);
      this.created.set(name, made);
      made.catch(() => this.created.delete(name));
    }
    return made;
  }

  /** `name` got a welcome: later attempts (reconnects) try it first. */
  succeeded(name: ProtocolType): void {
    this.preferred = name;
  }
}
