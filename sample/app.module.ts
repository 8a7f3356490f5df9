import { Module } from '@nestjs/common';
import { DuplexModule } from '../lib/index.js';
import { ChatHandler } from './chat.handler.js';
import { authenticateDemoToken } from './demo-token.auth.js';
import { EchoHandler } from './echo.handler.js';
import { GreetHandler } from './greet.handler.js';
import { readSampleConfig } from './sample.config.js';
import { StatsHandler } from './stats.handler.js';

@Module({
  imports: [
    DuplexModule.forRootAsync({
      useFactory: () => {
        // DUPLEX_GRPC_URL (e.g. 127.0.0.1:50051) turns the gRPC transport on beside WebSocket.
        const { grpcUrl } = readSampleConfig();
        return grpcUrl === undefined
          ? { authenticate: authenticateDemoToken }
          : { authenticate: authenticateDemoToken, protocols: ['websocket', 'grpc'], grpc: { url: grpcUrl } };
      },
    }),
  ],
  providers: [EchoHandler, ChatHandler, StatsHandler, GreetHandler],
})
export class AppModule {}
