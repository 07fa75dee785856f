/** What one attempt to deliver (webhook or e-mail) came to. */
export interface AttemptResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  /** From `Retry-After` on 429/503. */
  retryAfterMs?: number | null;
  /** Retrying cannot help (refused target, no SMTP configured): dead-letter now. */
  permanent?: boolean;
}
