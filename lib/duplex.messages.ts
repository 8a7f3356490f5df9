/** User-facing texts of the server side, as factories (one place to read and change them). */
export const INVALID_OPTION = (option: string, value: unknown, expected: string): string =>
  `DuplexModule: option "${option}" is ${JSON.stringify(value) ?? String(value)}; expected ${expected}.`;

export const UNKNOWN_OPTION = (option: string, known: string[]): string =>
  `DuplexModule: unknown option "${option}"; the options at that level are ${known.join(', ')}.`;

export const NO_HTTP_SERVER = (): string =>
  'DuplexModule: the WebSocket transport needs the Nest application\'s HTTP server, and none was found. ' +
  'Create the app with NestFactory.create() (not createApplicationContext), or leave "websocket" out of "protocols".';

export const SESSION_NOT_FOUND = (sessionId: string): string => `No session "${sessionId}"`;
export const REQUEST_TIMED_OUT = (action: string, ms: number): string =>
  `Request "${action}" was not answered within ${ms} ms`;
