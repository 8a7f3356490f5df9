import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../sample/app.module.js';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The sample's `authenticate` (issue 8, R9): only its own demo tokens get a session. */
describe('sample authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ imports: [AppModule] });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'refuses the Object.prototype name %s as a token with 401',
    async (token) => {
      await expect(RawPeer.open(`${t.wsUrl}?token=${token}`)).rejects.toMatchObject({ status: 401 });
    },
  );

  it('refuses an unknown token, a missing one and a repeated one', async () => {
    for (const query of ['?token=nobody', '', '?token=demo&token=admin']) {
      await expect(RawPeer.open(`${t.wsUrl}${query}`)).rejects.toMatchObject({ status: 401 });
    }
  });

  it('accepts a demo token', async () => {
    const { peer, welcome } = await RawPeer.hello(`${t.wsUrl}?token=demo`);
    expect(welcome.type).toBe('response');
    await peer.close();
  });
});
