import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { pathOf } from './http-exchange.js';
import { HTTP_ROUTE, servesHttp } from './http-routes.js';

/** The body of one of the transport's POSTs, as read by the gate. */
export type BodyRead =
  | { kind: 'read'; bytes: Buffer; contentType: string | undefined }
  | { kind: 'too_large'; contentType: string | undefined }
  | { kind: 'aborted' };

/** The framing headers the platform must not see, put back once the controller has the body. */
const FRAMING = ['content-type', 'content-length', 'transfer-encoding'] as const;

/**
 * Reads the bodies of the transport's POSTs (`/session`, `/messages`) before the platform does.
 * Express's JSON parser (100 kB by default) and Fastify's (its `bodyLimit`, its own 415) would
 * otherwise answer first, with their limits and their error shapes, and an app may configure them
 * for its own routes. The gate is the first `'request'` listener of the HTTP server: for those
 * POSTs it starts reading the body (up to `maxPayload`) and hides the framing headers, so the
 * platform sees a request without a body and parses nothing; the controller takes the body from here.
 */
@Injectable()
export class HttpBodyGate implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly bodies = new WeakMap<IncomingMessage, { read: Promise<BodyRead>; framing: Partial<Record<(typeof FRAMING)[number], string | string[]>> }>();
  private server: Server | undefined;
  private readonly listener = (req: IncomingMessage): void => this.intercept(req);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!servesHttp(this.options.protocols)) return;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server === undefined || typeof server.prependListener !== 'function') return;
    this.server = server;
    server.prependListener('request', this.listener);
  }

  onApplicationShutdown(): void {
    this.server?.off('request', this.listener);
    this.server = undefined;
  }

  /** The body the gate read for this request (the framing headers are restored); undefined if it did not take it. */
  take(req: IncomingMessage): Promise<BodyRead> | undefined {
    const taken = this.bodies.get(req);
    if (taken === undefined) return undefined;
    this.bodies.delete(req);
    for (const name of FRAMING) if (taken.framing[name] !== undefined) req.headers[name] = taken.framing[name] as string;
    return taken.read;
  }

  private intercept(req: IncomingMessage): void {
    if (req.method !== 'POST') return;
    // By suffix: a global prefix (app.setGlobalPrefix) may stand in front of http.prefix. Express
    // routes also match another case and a trailing "/".
    const path = pathOf(req).toLowerCase().replace(/\/$/, '');
    const prefix = this.options.http.prefix.toLowerCase();
    if (!path.endsWith(`${prefix}/${HTTP_ROUTE.session}`) && !path.endsWith(`${prefix}/${HTTP_ROUTE.messages}`)) return;
    const framing: Partial<Record<(typeof FRAMING)[number], string | string[]>> = {};
    for (const name of FRAMING) {
      const value = req.headers[name];
      if (value !== undefined) framing[name] = value;
      delete req.headers[name];
    }
    const contentType = typeof framing['content-type'] === 'string' ? framing['content-type'] : undefined;
    const declared = Number(framing['content-length'] ?? Number.NaN);
    this.bodies.set(req, { read: readBody(req, this.options.maxPayload, contentType, declared), framing });
  }
}

/** Reads up to `limit` bytes; past it the rest is read and dropped (the answer does not wait for it). */
function readBody(req: IncomingMessage, limit: number, contentType: string | undefined, declared: number): Promise<BodyRead> {
  return new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit;
    if (over) resolve({ kind: 'too_large', contentType });
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve({ kind: 'too_large', contentType });
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve({ kind: 'read', bytes: Buffer.concat(chunks), contentType }));
    // A request that ends before its body did: the first outcome wins, so after 'end' this is nothing.
    req.once('close', () => resolve({ kind: 'aborted' }));
    req.once('error', () => resolve({ kind: 'aborted' }));
  });
}
