/** Raw `ws`: an echo server in a few lines; broadcast is a loop sending one pre-serialised string. */
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { broadcastData } from '../lib/payload.js';
import { runServer } from './harness.js';

await runServer(async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, backlog: 4096 });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => ws.terminate());
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  return {
    port: (wss.address() as AddressInfo).port,
    connections: () => wss.clients.size,
    broadcast(round, burst) {
      for (let i = 0; i < burst; i++) {
        const text = JSON.stringify(broadcastData(round, i));
        for (const client of wss.clients) client.send(text);
      }
    },
  };
});
