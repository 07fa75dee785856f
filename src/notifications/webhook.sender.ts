import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { SecretBox, SecretBoxError } from '../secrets/secret-box.js';
import { BlockedAddressError, resolveTarget, ResolvedTarget } from './address-guard.js';
import { AttemptResult } from './delivery-result.js';
import { parseRetryAfter } from './retry-policy.js';
import { signWebhook } from './webhook-signature.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookMessage {
  /** The delivery id: the stable `webhook-id`. */
  id: string;
  url: string;
  /** The contact's signing secret as stored: sealed by SecretBox, opened only to sign. */
  sealedSecret: string;
  body: string;
}

/** Connects to the address the SSRF guard checked, never to a fresh DNS answer. */
function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    } else {
      callback(null, target.address, target.family);
    }
  };
}

@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 50 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 50 }),
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly secrets: SecretBox,
  ) {}

  async send(message: WebhookMessage): Promise<AttemptResult> {
    let url: URL;
    let target: ResolvedTarget;
    try {
      url = new URL(message.url);
      target = await resolveTarget(url, this.config.webhookAllowPrivate);
    } catch (err) {
      const permanent = err instanceof BlockedAddressError || err instanceof TypeError;
      return { delivered: false, statusCode: null, error: errorText(err), permanent };
    }
    let secret: string;
    try {
      secret = this.secrets.open(message.sealedSecret);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      // A configuration fault (a data key removed too early): retried, so that restoring
      // the key lets the delivery go; the message names the key id, never the secret.
      return { delivered: false, statusCode: null, error: `webhook secret: ${err.message}` };
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(message.body)),
      'user-agent': 'ccc-notifications/1',
      'webhook-id': message.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, message.id, timestamp, message.body),
    };
    return this.post(url, target, headers, message.body);
  }

  private post(
    url: URL,
    target: ResolvedTarget,
    headers: Record<string, string>,
    body: string,
  ): Promise<AttemptResult> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const fail = (err: unknown) =>
        finish({ delivered: false, statusCode: null, error: errorText(err) });
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          headers,
          agent: secure ? this.agents.https : this.agents.http,
          lookup: pinnedLookup(target),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          // Drain and ignore the body; redirects are never followed.
          response.resume();
          response.on('error', fail);
          response.on('close', () =>
            fail(new Error('connection closed before the response ended')),
          );
          response.on('end', () => finish(outcome(status, response.headers)));
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`timed out after ${WEBHOOK_TIMEOUT_MS / 1000} s`)),
        WEBHOOK_TIMEOUT_MS,
      );
      request.on('error', fail);
      request.end(body);
    });
  }

  /** After the queue workers drained (QueueDrainService): destroying cuts in-flight sends. */
  onApplicationShutdown() {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function outcome(status: number, headers: http.IncomingHttpHeaders): AttemptResult {
  if (status >= 200 && status < 300) return { delivered: true, statusCode: status, error: null };
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(headerValue(headers['retry-after'])) : null;
  const error =
    status >= 300 && status < 400
      ? `HTTP ${status}: redirect${headers.location ? ` to ${headers.location.slice(0, 200)}` : ''} not followed`
      : `HTTP ${status}`;
  return { delivered: false, statusCode: status, error, retryAfterMs };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, 500);
}
