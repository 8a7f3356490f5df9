import { findUnknownOption, type OptionKeys } from '../../envelope/option-keys.js';

const KEYS: OptionKeys = { redis: true, keyPrefix: true, sweepIntervalMs: true, holdRenewMs: true, expiryGraceMs: true };
/** setTimeout fires at once (1 ms) for any longer delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Refuses RedisBroker options a typo or a bad value would otherwise make silently wrong (a misspelt
 * `keyPrefix` would share the default prefix with other apps). Throws an Error naming the option;
 * `at` is where they were given (`RedisBroker`, or the module's `broker`).
 */
export function checkRedisBrokerOptions(options: object, at: string): void {
  const unknown = findUnknownOption(options, KEYS);
  if (unknown !== undefined) throw new Error(`${at}: unknown option "${unknown.path}"; the options are ${unknown.known.join(', ')}.`);
  const { keyPrefix } = options as { keyPrefix?: unknown };
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || keyPrefix === '')) {
    throw new Error(`${at}: option "keyPrefix" is ${JSON.stringify(keyPrefix)}; expected a non-empty string such as "duplex:".`);
  }
  for (const name of ['sweepIntervalMs', 'holdRenewMs', 'expiryGraceMs'] as const) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) <= 0 || (value as number) > MAX_TIMER_MS)) {
      throw new Error(`${at}: option "${name}" is ${JSON.stringify(value)}; expected a positive integer up to ${MAX_TIMER_MS}.`);
    }
  }
}
