/** The application payloads every system carries, so that all of them move the same bytes. */

/** 64 characters of filler: the `p` field of every echo and broadcast payload. */
export const PAD = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_';

/** The echo payload (the `data` of a request, or the whole text for the raw systems). */
export const ECHO_DATA = { e: 1, p: PAD } as const;
export const ECHO_TEXT = JSON.stringify(ECHO_DATA);

/** The payload of broadcast message `i` of round `round`. */
export function broadcastData(round: number, i: number): { b: number; i: number; p: string } {
  return { b: round, i, p: PAD };
}
