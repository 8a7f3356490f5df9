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
        // The page can use every browser transport; DUPLEX_GRPC_URL (e.g. 127.0.0.1:50051) turns gRPC on beside them.
        // REDIS_URL (e.g. redis://127.0.0.1:6379) shares sessions with every other node on that Redis.
        const { grpcUrl, redisUrl } = readSampleConfig();
        const browser = ['websocket', 'sse', 'long-polling'] as const;
        const broker = redisUrl === undefined ? {} : { broker: { redis: redisUrl, keyPrefix: 'duplex-sample:' } };
        return grpcUrl === undefined
          ? { authenticate: authenticateDemoToken, protocols: [...browser], ...broker }
          : { authenticate: authenticateDemoToken, protocols: [...browser, 'grpc' as const], grpc: { url: grpcUrl }, ...broker };
      },
    }),
  ],
  providers: [EchoHandler, ChatHandler, StatsHandler, GreetHandler],
})
export class AppModule {}
