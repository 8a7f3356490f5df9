import type { DuplexBroker } from '../../lib/index.js';
import { BROKERS } from './brokers.js';
import { type TransportCase, TRANSPORTS } from './transport-cases.js';

/** One run of a behavioural suite: a transport, served by a node on a broker. */
export interface SuiteCase {
  /** `websocket, memory broker`. */
  name: string;
  transport: TransportCase;
  broker: string;
  /** A new broker for one app; the suite closes it after the app (`closeBroker`). */
  makeBroker(): DuplexBroker;
}

/** Every transport on every broker: the handler and delivery suites run each (a new broker or transport joins with one line). */
export const TRANSPORT_BROKER_CASES: SuiteCase[] = BROKERS.flatMap(([broker, makeBroker]) =>
  TRANSPORTS.map((transport) => ({ name: `${transport.name}, ${broker} broker`, transport, broker, makeBroker })),
);

/** Closes a broker the suite made (a Redis test broker also deletes its keys). */
export async function closeBroker(broker: DuplexBroker | undefined): Promise<void> {
  await broker?.close?.();
}
