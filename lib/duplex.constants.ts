/** DI tokens of the library. */
export const DUPLEX_RESOLVED_OPTIONS = Symbol('DUPLEX_RESOLVED_OPTIONS');
export const DUPLEX_OUTBOX_STORE = Symbol('DUPLEX_OUTBOX_STORE');
