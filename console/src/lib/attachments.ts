/** Pure rules of the incident page's evidence list (no React, no DOM): unit-tested beside. */

export interface AttachmentMeta {
  id: string;
  filename: string;
  size: number;
  malware: boolean;
  deletedAt: string | null;
}

/** The password of every malware zip the service gives (the community's convention). */
export const SAMPLE_PASSWORD = 'infected';

export type SizeUnit = 'byte' | 'kilobyte' | 'megabyte' | 'gigabyte';

/**
 * A byte count in the largest SI unit that keeps it at 1 or more (1 kB = 1,000 bytes, the
 * meaning Intl gives its unit names), for `Intl.NumberFormat` with `style: 'unit'` to say
 * in the reader's language. Bytes stay whole; larger units keep one decimal at most.
 */
export function sizeParts(bytes: number): { value: number; unit: SizeUnit } {
  const units: SizeUnit[] = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
  let value = Math.max(0, bytes);
  let n = 0;
  // 999,950 bytes round to 1,000.0 kB: say 1 MB instead.
  while (n < units.length - 1 && Math.round(value * 10) / 10 >= 1000) {
    value /= 1000;
    n++;
  }
  return { value: n === 0 ? Math.round(value) : Math.round(value * 10) / 10, unit: units[n] };
}

/** The size as a reader of `locale` writes it: `1.5 MB`, `1,5 МБ`, `512 byte`. */
export function formatSize(bytes: number, locale: string): string {
  const { value, unit } = sizeParts(bytes);
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(value);
}

/** Whole percent of an upload sent so far (0 while the total is unknown). */
export function percent(loaded: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(100, Math.max(0, Math.floor((loaded / total) * 100)));
}

/**
 * Where the bytes are fetched: a malware sample only as the encrypted zip (its raw bytes
 * answer 409); nothing for deleted evidence (410).
 */
export function downloadPath(incidentId: string, a: AttachmentMeta): string | null {
  if (a.deletedAt) return null;
  const base = `/api/v1/incidents/${encodeURIComponent(incidentId)}/attachments/${encodeURIComponent(a.id)}/content`;
  return a.malware ? `${base}?as=zip` : base;
}

export interface Viewer {
  role: 'analyst' | 'coordinator' | 'admin';
  state: string | null;
}

/**
 * Who may add evidence (the service decides; this only offers the form): coordinators, and
 * analysts of the reporting state or of a dispatched state. Admins may not.
 */
export function canUpload(
  viewer: Viewer,
  incident: { reportingState: string; dispatches: { state: string }[] },
): boolean {
  if (viewer.role === 'coordinator') return true;
  if (viewer.role !== 'analyst' || !viewer.state) return false;
  return (
    incident.reportingState === viewer.state ||
    incident.dispatches.some((d) => d.state === viewer.state)
  );
}

/** Coordinators delete evidence (its bytes; the metadata stays). */
export function canDelete(viewer: Viewer, a: AttachmentMeta): boolean {
  return viewer.role === 'coordinator' && !a.deletedAt;
}

/** Files dropped or chosen, without directories and empty entries (the service refuses both). */
export function acceptableFiles<T extends { size: number; type: string; name: string }>(
  files: Iterable<T>,
): { accepted: T[]; empty: T[] } {
  const accepted: T[] = [];
  const empty: T[] = [];
  for (const f of files) (f.size > 0 ? accepted : empty).push(f);
  return { accepted, empty };
}
