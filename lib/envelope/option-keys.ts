/**
 * Which keys an options object may have, so a misspelt option is refused by name instead of being
 * ignored in silence. Shared by the server's module options and the client's (this folder holds
 * what both ends use).
 */

/** `true`: a key whose value is taken as it is; a nested spec: a group whose own keys are checked too. */
export interface OptionKeys {
  readonly [key: string]: true | OptionKeys;
}

export interface UnknownOption {
  /** Dotted path of the unknown key, e.g. `heartbeat.interval`. */
  path: string;
  /** The keys known at that level. */
  known: string[];
}

/** The first key of `value` (depth first) that `keys` does not list; undefined when every key is known. */
export function findUnknownOption(value: unknown, keys: OptionKeys, prefix = ''): UnknownOption | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (!Object.hasOwn(keys, key)) return { path: prefix + key, known: Object.keys(keys) };
    const group = keys[key];
    if (group === true) continue;
    const found = findUnknownOption(inner, group, `${prefix}${key}.`);
    if (found !== undefined) return found;
  }
  return undefined;
}
