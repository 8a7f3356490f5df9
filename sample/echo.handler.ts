import { Injectable } from '@nestjs/common';
import { OnAction, Payload } from '../lib/index.js';

@Injectable()
export class EchoHandler {
  /** Answers a request with its own data. */
  @OnAction('echo')
  echo(@Payload() data: Record<string, unknown>): Record<string, unknown> {
    return data;
  }
}
