import type { ProtocolType } from '../../lib/index.js';

/** The transports every behavioural suite runs over. A new transport joins with one line. */
export interface TransportCase {
  name: string;
  protocolType: ProtocolType;
}

export const TRANSPORTS: TransportCase[] = [
  { name: 'websocket', protocolType: 'websocket' },
];
