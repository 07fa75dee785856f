import type { Socket } from 'node:net';
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
  /** Every open connection of the server (a field initialiser: runs once the instance exists). */
  private readonly sockets = this.trackSockets();

  private trackSockets(): Set<Socket> {
    const sockets = new Set<Socket>();
    this.getInstance().server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return sockets;
  }

  override beforeClose(): void {
    super.beforeClose();
    // Not awaited here: dispose() awaits it through close().
    this.closing ??= super.close();
    this.closing.catch(() => undefined);
    // Node closes idle keep-alive connections itself, but counts a connection on which no
    // request has started as active (it waits for its headers), so one a client opened
    // ahead of need (fetch's pool does, after an aborted stream) would hold the drain for
    // ever. Nothing was accepted on such a socket: it goes.
    for (const socket of this.sockets) {
      if (!(socket as Socket & { _httpMessage?: unknown })._httpMessage) socket.destroy();
    }
  }

  override close(): Promise<void> {
    return (this.closing ??= super.close());
  }
}
