import type { SessionRecord } from '../broker.js';

/** A session record as the record hash stores it (field names in lua/prelude.lua.ts). */

/** ARGV of the CREATE script after the keys: id … offlineSince (ttl and grace follow). */
export function recordArgs(record: SessionRecord): string[] {
  return [
    record.id,
    record.tokenHash,
    record.identity,
    principalJson(record.principal),
    record.epoch,
    String(record.createdAt),
    record.offlineSince === undefined ? '' : String(record.offlineSince),
  ];
}

/** The principal as stored: JSON ('' when there is none). It must survive JSON, as it crosses nodes. */
export function principalJson(principal: unknown): string {
  return principal === undefined ? '' : (JSON.stringify(principal) ?? '');
}

/** Reads a record from a flat HGETALL reply (`[field, value, …]`, from `start`). */
export function recordFromReply(reply: readonly unknown[], start: number): SessionRecord {
  const f = new Map<string, string>();
  for (let i = start; i + 1 < reply.length; i += 2) f.set(String(reply[i]), String(reply[i + 1]));
  const record: SessionRecord = {
    id: f.get('id') ?? '',
    tokenHash: f.get('th') ?? '',
    identity: f.get('idn') ?? '',
    principal: f.has('p') ? JSON.parse(f.get('p')!) : undefined,
    epoch: f.get('ep') ?? '',
    createdAt: Number(f.get('ca')),
  };
  const node = f.get('hn');
  if (node !== undefined) record.holder = { node, link: f.get('hl') ?? '', transport: f.get('ht') ?? '' };
  if (f.has('off')) record.offlineSince = Number(f.get('off'));
  return record;
}
