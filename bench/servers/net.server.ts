/** The floor: a raw TCP echo (`node:net`), newline-framed broadcasts. No parsing at all. */
import net from 'node:net';
import { broadcastData } from '../lib/payload.js';
import { runServer } from './harness.js';

await runServer(async () => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  server.maxConnections = 100_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => sockets.size,
    broadcast(round, burst) {
      for (let i = 0; i < burst; i++) {
        const line = JSON.stringify(broadcastData(round, i)) + '\n';
        for (const socket of sockets) socket.write(line);
      }
    },
  };
});
