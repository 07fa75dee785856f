import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * On SIGTERM, stops accepting connections at once and lets in-flight requests finish while
 * the rest of the shutdown (queue workers, background loops) runs; the database and Redis
 * clients close only after both. Nest alone would keep listening until every other
 * shutdown hook had run. Use with `return503OnClosing: false`: a request that still
 * arrives on an open keep-alive connection is served (with `Connection: close`), not
 * answered 503.
 */
export class DrainingFastifyAdapter extends FastifyAdapter {
  private closing?: Promise<void>;

  override beforeClose(): void {
    super.beforeClose();
    // Not awaited here: dispose() awaits it through close().
    this.closing ??= super.close();
    this.closing.catch(() => undefined);
  }

  override close(): Promise<void> {
    return (this.closing ??= super.close());
  }
}
