import { Injectable, UseGuards } from '@nestjs/common';
import { DuplexService, OnAction } from '../lib/index.js';
import { AdminGuard } from './admin.guard.js';

@Injectable()
export class StatsHandler {
  constructor(private readonly duplex: DuplexService) {}

  /** Admins only: how many sessions the server holds (offline ones included, until they expire). */
  @OnAction('stats')
  @UseGuards(AdminGuard)
  async stats(): Promise<{ sessions: number; connected: number }> {
    const sessions = await this.duplex.getSessions();
    return { sessions: sessions.length, connected: sessions.filter((session) => session.connected).length };
  }
}
