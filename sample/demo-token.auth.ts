/** The sample's `authenticate` hook: a `?token=` from a fixed list of demo tokens. Not for production. */
import type { Handshake } from '../lib/index.js';

export interface DemoPrincipal {
  id: string;
  role: 'user' | 'admin';
}

export const DEMO_TOKENS: Readonly<Record<string, DemoPrincipal>> = {
  demo: { id: 'demo', role: 'user' },
  alice: { id: 'alice', role: 'user' },
  admin: { id: 'admin', role: 'admin' },
};

/**
 * Returns the principal of a known token — `?token=` on WebSocket, the `token` metadata on gRPC;
 * `null` refuses the connection (WebSocket: HTTP 401; gRPC: UNAUTHENTICATED).
 */
export function authenticateDemoToken(handshake: Handshake): DemoPrincipal | null {
  const token = handshake.query.token ?? handshake.headers.token;
  if (typeof token !== 'string') return null;
  return Object.hasOwn(DEMO_TOKENS, token) ? DEMO_TOKENS[token]! : null;
}
