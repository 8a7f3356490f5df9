/**
 * Socket.IO 4.8 with its defaults (both transports allowed; the client picks websocket or polling).
 * Echo answers through the ack callback; broadcast is `io.emit`, which encodes once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { broadcastData } from '../lib/payload.js';
import { runServer } from './harness.js';

await runServer(async () => {
  const httpServer = http.createServer();
  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    socket.on('echo', (data: unknown, ack: (reply: unknown) => void) => ack(data));
  });
  await new Promise<void>((resolve) => httpServer.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    port: (httpServer.address() as AddressInfo).port,
    connections: () => io.engine.clientsCount,
    broadcast(round, burst) {
      for (let i = 0; i < burst; i++) io.emit('tick', broadcastData(round, i));
    },
  };
});
