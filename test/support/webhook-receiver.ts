import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** What the receiver answers: a status, optional headers. */
export type Reply =
  | number
  | {
      status: number;
      headers?: Record<string, string>;
      /** answer after this long */ delayMs?: number;
    };

export interface ReceivedWebhook {
  path: string;
  webhookId: string;
  timestamp: string;
  signature: string;
  body: string;
  json: any;
  /** Signature checked with the standardwebhooks package against the endpoint's secret. */
  verified: boolean;
  status: number;
  at: number;
}

export interface Endpoint {
  url: string;
  path: string;
  secret: string;
  /** Requests to this endpoint, in arrival order. */
  requests: ReceivedWebhook[];
  /** Replies for the next requests, in order; afterwards `fallback`. */
  replies: Reply[];
  fallback: Reply;
}

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** A real HTTP server on 127.0.0.1 standing in for member-state webhook endpoints. */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  private readonly endpoints = new Map<string, Endpoint>();
  private counter = 0;

  private constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
  ) {}

  static async start(host = '127.0.0.1'): Promise<WebhookReceiver> {
    const server = http.createServer();
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://${host}:${port}`);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
      receiver.handle(req, res),
    );
    return receiver;
  }

  /** A new endpoint with its own path and secret. */
  endpoint(options: { replies?: Reply[]; fallback?: Reply; secret?: string } = {}): Endpoint {
    const path = `/hook/${++this.counter}`;
    const endpoint: Endpoint = {
      url: `${this.baseUrl}${path}`,
      path,
      secret: options.secret ?? newSecret(),
      requests: [],
      replies: [...(options.replies ?? [])],
      fallback: options.fallback ?? 200,
    };
    this.endpoints.set(path, endpoint);
    return endpoint;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const endpoint = this.endpoints.get(req.url ?? '');
      const reply = endpoint ? (endpoint.replies.shift() ?? endpoint.fallback) : 404;
      const { status, headers, delayMs } =
        typeof reply === 'number' ? { status: reply, headers: {}, delayMs: 0 } : reply;
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(req.headers[name] ?? '');
      let verified = false;
      let json: unknown = null;
      try {
        json = new Webhook(endpoint?.secret ?? newSecret()).verify(body, {
          'webhook-id': header('webhook-id'),
          'webhook-timestamp': header('webhook-timestamp'),
          'webhook-signature': header('webhook-signature'),
        });
        verified = true;
      } catch {
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
      }
      const received: ReceivedWebhook = {
        path: req.url ?? '',
        webhookId: header('webhook-id'),
        timestamp: header('webhook-timestamp'),
        signature: header('webhook-signature'),
        body,
        json,
        verified,
        status,
        at: Date.now(),
      };
      this.requests.push(received);
      endpoint?.requests.push(received);
      const answer = () => {
        res.writeHead(status, headers);
        res.end(status >= 200 && status < 300 ? 'ok' : 'no');
      };
      if (delayMs) setTimeout(answer, delayMs);
      else answer();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `check` returns a truthy value; fails with `what` after the timeout. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Fixtures shared by the notification specs.

export type ContactSpec =
  | { type: 'webhook'; url: string; secret: string }
  | { type: 'email'; address: string; locale?: 'ru' | 'en' };

/** Replaces a party's contacts through the admin API. */
export async function setContacts(
  admin: { put: (path: string, body: unknown) => Promise<{ status: number; text: string }> },
  party: string,
  contacts: ContactSpec[],
): Promise<void> {
  const path =
    party === 'CCC'
      ? '/api/v1/coordination-center/contacts'
      : `/api/v1/member-states/${party}/contacts`;
  const res = await admin.put(path, { contacts });
  if (res.status !== 200) throw new Error(`setContacts ${party}: ${res.status} ${res.text}`);
}

/**
 * Writes an outbox row as OutboxService does (same columns, same body shape) and wakes
 * the relay; returns the event id.
 */
export async function emitEvent(
  db: { query: (text: string, params?: unknown[]) => Promise<unknown> },
  event: {
    type: string;
    party: string;
    incidentId?: string | null;
    data?: Record<string, unknown>;
  },
): Promise<string> {
  const id = randomUUID();
  const body = {
    id,
    type: event.type,
    occurredAt: new Date().toISOString(),
    data: event.data ?? {},
  };
  await db.query(
    `INSERT INTO outbox (event_id, type, party, incident_id, payload) VALUES ($1, $2, $3, $4, $5)`,
    [id, event.type, event.party, event.incidentId ?? null, JSON.stringify(body)],
  );
  await db.query(`SELECT pg_notify('ccc_outbox', '')`);
  return id;
}
