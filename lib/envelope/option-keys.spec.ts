import { describe, expect, it } from 'vitest';
import { findUnknownOption, type OptionKeys } from './option-keys.js';

const KEYS: OptionKeys = { port: true, heartbeat: { intervalMs: true, timeoutMs: true }, broker: true };

describe('findUnknownOption', () => {
  it('accepts known keys, groups and values taken as they are', () => {
    expect(findUnknownOption({ port: 1, heartbeat: { intervalMs: 5 }, broker: { anything: 'goes' } }, KEYS)).toBeUndefined();
    expect(findUnknownOption(undefined, KEYS)).toBeUndefined();
    expect(findUnknownOption({ heartbeat: undefined }, KEYS)).toBeUndefined();
  });

  it('names an unknown key with its path and the known keys of its level', () => {
    expect(findUnknownOption({ prot: 1 }, KEYS)).toEqual({ path: 'prot', known: ['port', 'heartbeat', 'broker'] });
    expect(findUnknownOption({ heartbeat: { interval: 5 } }, KEYS)).toEqual({ path: 'heartbeat.interval', known: ['intervalMs', 'timeoutMs'] });
  });

  it('does not take inherited names for known keys', () => {
    expect(findUnknownOption(JSON.parse('{"toString": 1}'), KEYS)?.path).toBe('toString');
  });
});
