import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * On SIGTERM, stops accepting connections at once and lets in-flight requests finish while
 * the rest of the shutdown (queue workers, background loops) runs; the database and Redis
 * clients close only after both. Nest alone would keep listening until every other
 * shutdown hook had run. Use with `return503OnClosing: false`: a request that still
 * arrives on an open keep-alive connection is served (with `Connection: close`), not
 * answered 503.
 *
 * Node's own close leaves two kinds of socket open until their timeouts (72 s keep-alive):
 * a connection that never sent a request, and one whose request was in flight at SIGTERM
 * and finished afterwards. Both would hold the drain; both are closed here.
 */
export class DrainingFastifyAdapter extends FastifyAdapter {
  private closing?: Promise<void>;
  private draining = false;
  /** Open sockets and how many of their requests are unanswered. */
  private readonly sockets = new Map<Socket, number>();

  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    const server = this.getHttpServer<Server>();
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, 0);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket;
      this.sockets.set(socket, (this.sockets.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const left = (this.sockets.get(socket) ?? 1) - 1;
        this.sockets.set(socket, left);
        if (this.draining && left === 0) socket.destroy();
      });
    });
  }

  override beforeClose(): void {
    super.beforeClose();
    this.draining = true;
    for (const [socket, unanswered] of this.sockets) if (unanswered === 0) socket.destroy();
    // Not awaited here: dispose() awaits it through close().
    this.closing ??= super.close();
    this.closing.catch(() => undefined);
  }

  override close(): Promise<void> {
    return (this.closing ??= super.close());
  }
}
