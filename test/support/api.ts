import { ADMIN_KEY } from './service.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A thin fetch wrapper: real HTTP, JSON in and out. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key: string = ADMIN_KEY,
  ) {}

  as(key: string): Api {
    return new Api(this.baseUrl, key);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.key ? { authorization: `Bearer ${this.key}` } : {}),
        ...(body !== undefined && typeof body !== 'string'
          ? { 'content-type': 'application/json' }
          : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (markdown, metrics)
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  put<T = any>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** Creates a key through the API (this Api must hold an admin key) and returns its secret. */
  async createKey(role: 'analyst' | 'coordinator' | 'admin', state?: string): Promise<string> {
    const res = await this.post('/api/v1/api-keys', {
      name: `${role}-${state ?? 'ccc'}-${Math.random().toString(36).slice(2, 8)}`,
      role,
      ...(state ? { state } : {}),
    });
    if (res.status !== 201) throw new Error(`createKey failed: ${res.status} ${res.text}`);
    return res.body.key as string;
  }
}
