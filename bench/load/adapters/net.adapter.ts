/** Raw TCP: newline-framed lines; answers come back in order, so a FIFO of callbacks matches them. */
import net from 'node:net';
import { Fifo } from '../../lib/fifo.js';
import { ECHO_TEXT } from '../../lib/payload.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';

const LINE = Buffer.from(ECHO_TEXT + '\n');
const NEWLINE = 0x0a;

export const netAdapter: ClientAdapter = {
  connect(port: number, sink: LoadSink): Promise<LoadConnection> {
    return new Promise((resolve, reject) => {
      const pending = new Fifo<() => void>();
      let closing = false;
      const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
      socket.on('data', (chunk: Buffer) => {
        for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
          const done = pending.shift();
          if (done) done();
          else sink.onBroadcast();
        }
      });
      socket.once('error', (err) => reject(err));
      socket.on('error', () => undefined);
      socket.once('close', () => {
        if (!closing) sink.onUnexpectedClose('socket closed');
      });
      socket.once('connect', () =>
        resolve({
          echo(done) {
            pending.push(done);
            socket.write(LINE);
          },
          close() {
            closing = true;
            return new Promise((done) => {
              socket.once('close', () => done());
              socket.end();
            });
          },
          destroy() {
            closing = true;
            socket.destroy();
          },
        }),
      );
    });
  },
};
