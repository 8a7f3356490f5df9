import type { Metadata } from '@grpc/grpc-js';
import type { Handshake } from '../../actions/duplex-context.js';
import { ProtocolType } from '../../envelope/envelope.js';

/**
 * The handshake of a gRPC call: its metadata as `headers` (lower-case keys; several values give an
 * array; binary `-bin` keys left out), an empty `query` (no prototype), the peer's address.
 */
export function handshakeFromCall(metadata: Metadata, peer: string): Handshake {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    if (key.endsWith('-bin')) continue;
    const strings = values.filter((value): value is string => typeof value === 'string');
    if (strings.length > 0) headers[key] = strings.length === 1 ? strings[0] : strings;
  }
  return {
    transport: ProtocolType.GRPC,
    headers,
    query: Object.create(null) as Record<string, string | string[]>,
    remoteAddress: peerAddress(peer),
  };
}

/** `ipv4:127.0.0.1:5000` → `127.0.0.1`, `ipv6:[::1]:5000` → `::1`. */
function peerAddress(peer: string): string | undefined {
  const match = /^ipv[46]:\[?([^\]]*?)\]?:\d+$/.exec(peer);
  return match?.[1] ?? (peer || undefined);
}
