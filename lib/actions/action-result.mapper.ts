import { isObservable, lastValueFrom } from 'rxjs';
import type { EnvelopeData } from '../envelope/envelope.js';

/**
 * Settles what a handler returned: awaits a Promise, takes the last value of an Observable
 * (`undefined` when it completes empty).
 */
export async function settleResult(value: unknown): Promise<unknown> {
  const settled = await value;
  return isObservable(settled) ? lastValueFrom(settled, { defaultValue: undefined }) : settled;
}

/**
 * The `data` of a `response` for a settled handler result (docs/protocol.md §1 "Handler
 * results"): an object is sent as is, `undefined`/`null` as `{}`, anything else (string, number,
 * boolean, array, Date, binary) as `{ value }`.
 */
export function toResultData(value: unknown): EnvelopeData {
  if (value === undefined || value === null) return {};
  if (isDataObject(value)) return value;
  return { value };
}

function isDataObject(value: unknown): value is EnvelopeData {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    // These serialise to a string (or to nothing useful), not to a JSON object.
    !(value instanceof Date) &&
    !(value instanceof ArrayBuffer) &&
    !ArrayBuffer.isView(value)
  );
}
