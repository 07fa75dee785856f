import type { ApiResponse } from './api.js';

/**
 * A browser-like client for a person: keeps the session cookie (a one-cookie jar) and
 * sends the CSRF token on writes, as the console does. Every response is recorded so
 * tests can search them for secrets.
 */
export class Person {
  cookie: string | null = null;
  csrfToken: string | null = null;
  setCookie: string | null = null;

  constructor(
    readonly baseUrl: string,
    readonly seen: string[] = [],
  ) {}

  /** Another client holding the same cookie and token, against another instance. */
  on(baseUrl: string): Person {
    const other = new Person(baseUrl, this.seen);
    other.cookie = this.cookie;
    other.csrfToken = this.csrfToken;
    return other;
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    options: { csrf?: boolean; record?: boolean } = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(options.csrf !== false && this.csrfToken && method !== 'GET'
          ? { 'x-csrf-token': this.csrfToken }
          : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      this.setCookie = set;
      const m = /^ccc_session=([^;]*)/.exec(set);
      if (m) this.cookie = m[1] ? `ccc_session=${m[1]}` : null;
    }
    const text = await res.text();
    if (options.record !== false) this.seen.push(`${method} ${path} ${res.status} ${text}`);
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string') {
      this.csrfToken = parsed.csrfToken;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }

  /** Signs in; the response (which issues nothing secret in its body) is recorded. */
  login(username: string, password: string, code?: string, headers?: Record<string, string>) {
    return this.post(
      '/api/v1/auth/login',
      { username, password, ...(code ? { code } : {}) },
      headers,
    );
  }
}
