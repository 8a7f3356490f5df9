/** DI tokens of the library. */
export const DUPLEX_RESOLVED_OPTIONS = Symbol('DUPLEX_RESOLVED_OPTIONS');
export const DUPLEX_BROKER = Symbol('DUPLEX_BROKER');
/** This node's id among the nodes sharing one broker. */
export const DUPLEX_NODE_ID = Symbol('DUPLEX_NODE_ID');
