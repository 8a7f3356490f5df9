/**
 * Whether this is Node (or a runtime that passes for it): the one place the client looks at a Node
 * global, read off `globalThis` so that a browser, which has none, simply gets `false`.
 */
export function isNodeRuntime(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  return typeof versions?.node === 'string';
}
