import { Module } from '@nestjs/common';
import { DuplexModule } from '../lib/index.js';
import { ChatHandler } from './chat.handler.js';
import { authenticateDemoToken } from './demo-token.auth.js';
import { EchoHandler } from './echo.handler.js';
import { GreetHandler } from './greet.handler.js';
import { StatsHandler } from './stats.handler.js';

@Module({
  imports: [DuplexModule.forRoot({ authenticate: authenticateDemoToken })],
  providers: [EchoHandler, ChatHandler, StatsHandler, GreetHandler],
})
export class AppModule {}
