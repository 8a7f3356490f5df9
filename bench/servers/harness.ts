/**
 * What every system-under-test process shares: start the system, print `READY <port>` (and its
 * other ports by name, `READY <port> grpc=<port>`), and answer
 * the runner's control commands (own CPU time and memory, connection count, "broadcast now", CPU
 * profile start/stop) over the IPC pipe, out of the measured path.
 */
import { nowMs } from '../lib/clock.js';
import { processStats, serveControl, settleHeap } from '../lib/control.js';
import { startProfile, stopProfile } from '../lib/profiler.js';

export interface SystemServer {
  port: number;
  /** Other ports the system listens on, by name (a gRPC server has its own); see SystemSpec.port. */
  ports?: Record<string, number>;
  /** Connections the server holds right now. */
  connections(): number | Promise<number>;
  /**
   * Sends `burst` messages (payload `broadcastData(round, i)`) to every connected client, the way
   * an application of this system would: serialise once, then one send per client.
   */
  broadcast(round: number, burst: number): void | Promise<void>;
}

export async function runServer(start: () => Promise<SystemServer>): Promise<void> {
  const server = await start();
  serveControl({
    stats: () => processStats(),
    /** Full GCs first, then the reading: for the idle-memory figure. */
    settledStats: async () => {
      await settleHeap();
      return processStats();
    },
    connections: () => server.connections(),
    broadcast: async ({ round, burst }: { round: number; burst: number }) => {
      const t0 = nowMs();
      await server.broadcast(round, burst);
      return { t0, t1: nowMs() };
    },
    profileStart: startProfile,
    profileStop: stopProfile,
  });
  const named = Object.entries(server.ports ?? {}).map(([name, port]) => ` ${name}=${port}`);
  process.stdout.write(`READY ${server.port}${named.join('')}\n`);
}
