import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

const TAXII_PREFIX = '/taxii2';

function isTaxii(url: string): boolean {
  return (
    url === TAXII_PREFIX || url.startsWith(`${TAXII_PREFIX}/`) || url.startsWith(`${TAXII_PREFIX}?`)
  );
}

/**
 * Fastify `rewriteUrl` for the interchange paths, nothing else (the rest of the service
 * keeps its exact paths):
 * - TAXII paths end in `/` (clients add it; INTEROP T-COLL-4) while the routes are declared
 *   without it, so `/taxii2/ccc/collections/` and `…/collections` are one route;
 * - a MISP instance appends `/manifest.json` to the feed URL its admin typed, trailing slash
 *   or not: `/feeds/misp/community//manifest.json` is the same file.
 */
export function interchangeRewriteUrl(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const rest = query < 0 ? '' : url.slice(query);
  if (path.startsWith('/feeds/')) return `${path.replace(/\/{2,}/g, '/')}${rest}`;
  if (!isTaxii(path)) return url;
  return path.length > 1 && path.endsWith('/') ? `${path.replace(/\/+$/, '')}${rest}` : url;
}

/** A TAXII error message (TAXII 2.1 §3.6.1): `http_status` is a string. */
export function taxiiError(status: number, title: string, description?: string, details?: object) {
  return {
    title,
    http_status: String(status),
    ...(description ? { description } : {}),
    ...(details ? { details } : {}),
  };
}

/**
 * Whether `Accept` allows a TAXII 2.1 answer: absent, a wildcard, `application/taxii+json`
 * without a version or with 2.1, or plain `application/json` (lenient, for older OpenCTI;
 * INTEROP T-MT-3). A range with q=0 does not count.
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const param = (name: string) =>
      params
        .map((p) => p.split('='))
        .find(([k]) => k.trim() === name)?.[1]
        ?.trim()
        .replace(/^"|"$/g, '');
    if (param('q') !== undefined && Number(param('q')) === 0) return false;
    if (type === '*/*' || type === 'application/*' || type === 'application/json') return true;
    if (type !== 'application/taxii+json') return false;
    const version = param('version');
    return version === undefined || version === '2.1';
  });
}

/**
 * The TAXII rules for the whole /taxii2/ tree, installed once (http.ts), so that Fastify's
 * and Nest's own answers (unknown routes, body limits, guards) follow them too:
 * - `Accept` that allows no TAXII 2.1 answer → 406;
 * - every answer, errors included, is `application/taxii+json;version=2.1`, exactly;
 * - an error (problem+json elsewhere) becomes a TAXII error message with the same status,
 *   its field errors in `details`; a 401 challenges Basic and Bearer.
 */
export function installTaxiiHttp(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (!isTaxii(request.url) || acceptsTaxii(request.headers.accept)) {
      done();
      return;
    }
    void reply
      .status(406)
      .send(
        taxiiError(
          406,
          'Not Acceptable',
          `This server answers ${TAXII_MEDIA_TYPE}; the request's Accept allows none of it`,
        ),
      );
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!isTaxii(request.url)) {
      done(null, payload);
      return;
    }
    let body = payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (reply.statusCode >= 400 && type.startsWith('application/problem+json')) {
      body = JSON.stringify(fromProblem(payload, reply.statusCode));
    }
    if (reply.statusCode === 401) {
      void reply.header('www-authenticate', 'Basic realm="CCC TAXII", Bearer realm="CCC TAXII"');
    }
    void reply.header('content-type', TAXII_MEDIA_TYPE);
    done(null, body);
  });
}

function fromProblem(payload: unknown, status: number) {
  let problem: Record<string, unknown> = {};
  try {
    problem = JSON.parse(Buffer.isBuffer(payload) ? payload.toString('utf8') : String(payload));
  } catch {
    // not JSON: the status alone
  }
  const title = typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
  const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
  const errors = Array.isArray(problem.errors) ? { errors: problem.errors } : undefined;
  return taxiiError(status, title, detail, errors);
}
