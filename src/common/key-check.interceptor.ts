import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { AuthedRequest, KEY_CHECKED_ON_WRITE } from './principal.js';
import { Problem } from './problem.js';

/** Answers 401 instead of any other refusal when the remembered key turns out revoked. */
@Injectable()
export class PendingKeyCheckInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    return next.handle().pipe(
      catchError((err: unknown) => {
        const check = request.pendingKeyCheck;
        if (!check) return throwError(() => err);
        return from(check()).pipe(
          mergeMap((valid) => throwError(() => (valid ? err : Problem.unauthorized()))),
        );
      }),
    );
  }
}

/**
 * For a route that checks the API key itself, atomically with its write (its statement
 * writes nothing for a revoked key, and the route then answers 401): the guard may take the
 * principal from memory and skip its lookup. Any refusal is verified before it leaves, so a
 * revoked key still fails with 401 on its very next request, on every instance.
 */
export const KeyCheckedOnWrite = () =>
  applyDecorators(
    SetMetadata(KEY_CHECKED_ON_WRITE, true),
    UseInterceptors(PendingKeyCheckInterceptor),
  );
