/**
 * The one seam between the load generator and a system: how a client connects, sends an echo
 * and sees its answer, receives a broadcast, and closes. A new system or transport is one
 * adapter (here) plus one server entry (bench/servers) plus one line in bench/systems.ts.
 */

export interface LoadSink {
  /** One broadcast message arrived on this connection. */
  onBroadcast(): void;
  /** The connection closed without the generator asking for it. */
  onUnexpectedClose(reason: string): void;
  /** The system answered with an error, or broke its protocol; the echo it concerns never completes. */
  onError(reason: string): void;
}

export interface LoadConnection {
  /** Sends one echo request; `done` runs when its answer arrives (answers may come in any order). */
  echo(done: () => void): void;
  /** Closes the connection; resolves once it is closed (the caller bounds the wait). */
  close(): Promise<void>;
  /** Drops the connection at once (used when `close` took too long). */
  destroy(): void;
}

export interface ClientAdapter {
  /** Resolves when the connection is usable as the system's own client would report it. */
  connect(port: number, sink: LoadSink): Promise<LoadConnection>;
}
