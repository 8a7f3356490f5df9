/**
 * Interoperability: a client in another implementation — Python's grpcio, compiled from
 * proto/duplex.proto at test time, written from docs/protocol.md — opens a session, echoes,
 * receives a notification and says goodbye. Same-library tests never catch a wire mismatch.
 * Needs Debian's python3-grpcio and python3-grpc-tools (.ci/run installs them); fails, never skips,
 * without them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcTransport } from '../lib/transports/grpc/grpc.transport.js';
import { fixtureModule, TOKENS } from './fixtures/fixture.module.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PYTHON = process.env.DUPLEX_PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(new URL('./interop/python_client.py', import.meta.url));
const protoDir = fileURLToPath(new URL('../proto/', import.meta.url));

describe('gRPC interop with a Python grpcio client', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(
      fixtureModule({
        protocols: ['websocket', 'grpc'],
        grpc: { url: '127.0.0.1:0' },
        authenticate: (h) => {
          const token = h.headers.token;
          return typeof token === 'string' && Object.hasOwn(TOKENS, token) ? TOKENS[token] : null;
        },
      }),
    );
  });

  afterAll(async () => {
    await t.app.close();
  });

  it('opens a session, echoes, receives a notification and says goodbye', async () => {
    const address = `127.0.0.1:${t.app.get(GrpcTransport).port}`;
    const output = await new Promise<string>((resolve, reject) =>
      execFile(PYTHON, [script, protoDir, address, 'alice'], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${PYTHON} failed: ${err.message}\n${stderr}\n(install python3-grpcio python3-grpc-tools)`)) : resolve(stdout),
      ),
    );
    const steps = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(steps).toEqual([
      { step: 'welcome', session_id: expect.any(String), resumed: false },
      { step: 'echo', type: 'response', seq: 1, ack: 1, data: { text: 'from python', n: 3 } },
      { step: 'notification', seq: 2, data: { text: 'ping' } },
      { step: 'bye', type: 'response', action: '$bye' },
    ]);
  }, 40_000);
});
