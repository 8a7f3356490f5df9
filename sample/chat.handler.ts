import { Injectable } from '@nestjs/common';
import { Connection, type DuplexContext, DuplexService, OnAction, Payload } from '../lib/index.js';
import { ChatDto } from './chat.dto.js';
import type { DemoPrincipal } from './demo-token.auth.js';

@Injectable()
export class ChatHandler {
  constructor(private readonly duplex: DuplexService) {}

  /**
   * Sends `{ from, text }` as a `chat` notification to every session, the sender's included;
   * sessions that are briefly offline get it when they resume.
   */
  @OnAction('chat')
  async chat(@Payload() dto: ChatDto, @Connection() connection: DuplexContext<DemoPrincipal>): Promise<{ delivered: number }> {
    const delivered = await this.duplex.broadcast('chat', { from: connection.principal.id, text: dto.text });
    return { delivered };
  }
}
