/**
 * The server side of `--profile`: V8's sampling CPU profiler, started and stopped over the control
 * channel around one measured window, so the profile holds that window and not the connection
 * set-up before it (which `node --cpu-prof` would include, and which it writes only on a clean exit).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector/promises';

let session: Session | undefined;

export async function startProfile({ intervalUs }: { intervalUs: number }): Promise<boolean> {
  if (session) throw new Error('a profile is already running');
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return true;
}

/** Stops the profile and writes it as a `.cpuprofile` (Chrome DevTools / speedscope read it). */
export async function stopProfile({ file }: { file: string }): Promise<string> {
  if (!session) throw new Error('no profile is running');
  const current = session;
  session = undefined;
  try {
    const { profile } = await current.post('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    return file;
  } finally {
    current.disconnect();
  }
}
