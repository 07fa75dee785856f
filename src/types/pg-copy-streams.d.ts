// brianc's COPY streams for node-postgres (a query object for client.query), untyped upstream.
declare module 'pg-copy-streams' {
  import type { Readable, Writable } from 'node:stream';
  import type { Submittable } from 'pg';

  /** `COPY … FROM STDIN`: what is written goes to the server; 'finish' once it is stored. */
  export function from(text: string): Writable & Submittable & { rowCount: number };
  /** `COPY … TO STDOUT`: the server's COPY data, in chunks of any size. */
  export function to(text: string): Readable & Submittable & { rowCount: number };
  const copyStreams: { from: typeof from; to: typeof to };
  export default copyStreams;
}
