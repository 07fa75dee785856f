/** The console talks only to the contract's routes, with the session cookie and CSRF token. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  /** On the 401 of `GET /auth/me`: single sign-on is configured. */
  singleSignOn?: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }

  /** The last part of the problem type (`/problems/not-found` → `not-found`). */
  get kind(): string {
    return this.problem?.type.split('/').pop() ?? 'network';
  }
}

let csrfToken: string | null = null;
let language = 'en';

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setLanguage(lang: string): void {
  language = lang;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': language,
    ...extra,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, (parsed as Problem) ?? null);
  return parsed as T;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: 'analyst' | 'coordinator' | 'admin';
  state: string | null;
  locale: 'ru' | 'en';
  totpEnrolled: boolean;
}

export interface Me {
  user: User;
  csrfToken: string;
  /** Set (by the console) while a role that needs a second factor has not enrolled one. */
  enrolOnly?: boolean;
}

export interface Dispatch {
  state: string;
  status: 'pending' | 'notified' | 'acknowledged';
  notifiedAt: string | null;
  acknowledgedAt: string | null;
  escalationLevel: number;
  deadlineAt?: string | null;
}

export interface Incident {
  id: string;
  reference: string;
  title: string;
  description: string | null;
  category: string;
  severity: string;
  tlp: string;
  sector: string;
  status: string;
  reportingState: string;
  assignee: string | null;
  observables: { type: string; value: string }[];
  dispatches: Dispatch[];
  attachments: Attachment[];
  createdAt: string;
  updatedAt: string;
}

export interface Attachment {
  id: string;
  filename: string;
  originalFilename: string | null;
  size: number;
  contentType: string;
  sha256: string;
  sha1: string;
  md5: string;
  malware: boolean;
  description: string | null;
  uploadedBy: string;
  createdAt: string;
  deletedAt: string | null;
}

/**
 * A multipart upload with progress (fetch cannot report upload progress): the session
 * cookie and CSRF token as `api` sends them. Rejects with an ApiError like `api`; status 0
 * when the network failed or `signal` aborted it (the service then keeps nothing).
 */
export function upload<T>(
  path: string,
  form: FormData,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('accept-language', language);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onload = () => {
      let parsed: unknown;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T);
      else reject(new ApiError(xhr.status, (parsed as Problem | undefined) ?? null));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onabort = () => reject(new ApiError(0, null));
    if (signal?.aborted) {
      reject(new ApiError(0, null));
      return;
    }
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TimelineEvent {
  id: string;
  type: string;
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

export interface Labelled {
  value: string;
  label: { en: string; ru: string };
  description?: { en: string; ru: string };
}

/** `GET /api/v1/taxonomy` (contract v2). */
export interface Taxonomy {
  rsit: { classes: (Labelled & { categories: (Labelled & { type: string })[] })[] };
  tlp: Labelled[];
  severities: (Labelled & { ackDeadlineSeconds: number })[];
  sectors: Labelled[];
  memberStates: Labelled[];
}

export interface Delivery {
  id: string;
  event: string;
  incidentId: string | null;
  party: string;
  channel: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Report {
  id: string;
  kind: 'weekly' | 'monthly' | 'on-demand';
  from: string;
  to: string;
  audience: 'community' | 'public';
  status: 'queued' | 'running' | 'ready' | 'failed';
  createdAt: string;
}

export interface Stats {
  from: string;
  to: string;
  byStatus: Record<string, number>;
  bySeverity: Record<string, number>;
  byCategory: Record<string, number>;
  byReportingState: Record<string, number>;
  daily: { date: string; count: number }[];
  acknowledgements: {
    state: string;
    dispatched: number;
    acknowledged: number;
    pending: number;
    overdue: number;
    escalated: number;
    medianSecondsToAck: number | null;
  }[];
}

/** A text answer (a report's Markdown); errors as `api` throws them. */
export async function apiText(path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      headers: { 'accept-language': language },
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  if (!res.ok) {
    let problem: Problem | null = null;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      // not a problem document
    }
    throw new ApiError(res.status, problem);
  }
  return text;
}
