import { Injectable } from '@nestjs/common';
import { OnAction, Payload } from '../lib/index.js';
import { GreetDto } from './greet.dto.js';

@Injectable()
export class GreetHandler {
  /** `data` is validated by the global ValidationPipe (main.ts); a bad name is answered with `validation_failed`. */
  @OnAction('greet')
  greet(@Payload() dto: GreetDto): { greeting: string } {
    return { greeting: `Hello, ${dto.name}!` };
  }
}
