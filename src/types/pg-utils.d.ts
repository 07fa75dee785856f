// node-postgres's own value serialiser (what it sends for a query parameter), untyped upstream.
declare module 'pg/lib/utils.js' {
  const utils: {
    /** A JS value as PostgreSQL's text form: arrays as `{...}`, objects as JSON, null for NULL. */
    prepareValue(value: unknown): string | Buffer | null;
  };
  export default utils;
}
