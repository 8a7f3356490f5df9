import { randomUUID } from 'node:crypto';

/**
 * Ids of server → client requests name the node awaiting the answer, so a client that answers
 * through another node (after a resume there) is routed back: `<uuid>.<node id>`. Node ids are
 * base64url and never contain a dot.
 */
export function newRequestId(node: string): string {
  return `${randomUUID()}.${node}`;
}

/** The node that made request `id`, if the id is one of ours. */
export function nodeOfRequest(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const dot = id.lastIndexOf('.');
  return dot > 0 && dot < id.length - 1 ? id.slice(dot + 1) : undefined;
}
