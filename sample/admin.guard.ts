import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { getDuplexContext } from '../lib/index.js';
import type { DemoPrincipal } from './demo-token.auth.js';

/** Lets only admin principals through; a denied message is answered with an error `forbidden`. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return getDuplexContext<DemoPrincipal>(context)?.principal.role === 'admin';
  }
}
