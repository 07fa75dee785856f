/** Pure rules of attachments: filenames, served media types, byte ranges. */

const MAX_FILENAME = 255;
// C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text
// (bidi overrides and isolates, zero-width joiners): "invoice\u202Efdp.exe".
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export interface SanitisedFilename {
  filename: string;
  /** The name as sent, when it had to change; null when it was already safe. */
  original: string | null;
}

/**
 * A filename safe to store, show and send back: no path separators (each becomes `_`), no
 * control or bidi characters, no leading dots, at most 255 characters. The original is
 * kept alongside when anything changed.
 */
export function sanitiseFilename(raw: string): SanitisedFilename {
  let name = raw.replace(/[/\\]/g, '_').replace(UNSAFE_CHARS, '').trim();
  name = name.replace(/^\.+/, '').trim();
  if (name.length > MAX_FILENAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, MAX_FILENAME - ext.length) + ext;
  }
  if (name === '') name = 'attachment';
  return { filename: name, original: name === raw ? null : raw };
}

/** Top-level types a browser shows as media at most, never as a page that runs script. */
const INERT_TOP_LEVEL = new Set(['image', 'audio', 'video', 'font']);
/** application/* types a browser renders or executes: served as octet-stream instead. */
const RENDERABLE = /html|xml|svg|javascript|ecmascript|json|pdf|postscript|flash|rtf/i;

/**
 * The Content-Type a download is served with: the detected type when a browser can only
 * treat it as inert media or a download, `application/octet-stream` for anything it could
 * render as a page (HTML, SVG, XML, PDF, scripts) and for text or undetected content.
 */
export function servedContentType(detected: string): string {
  const [top] = detected.split('/');
  const inert =
    (INERT_TOP_LEVEL.has(top) || top === 'application') &&
    !RENDERABLE.test(detected) &&
    detected !== 'application/octet-stream';
  return inert ? detected : 'application/octet-stream';
}

/**
 * Content-Disposition: attachment with an ASCII fallback and the exact name as RFC 5987
 * `filename*` (UTF-8, percent-encoded), so no header injection and no mojibake.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export type RangeResult =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `Range: bytes=…` against a file of `size` bytes (RFC 9110 §14). Several ranges, other
 * units and malformed values are ignored (the whole file is sent), as the RFC allows; a
 * well-formed range that starts past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'full' };
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (!Number.isSafeInteger(start) || last < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}

/** Form value of `malware`: exactly `true` or `false`. */
export function parseMalwareFlag(value: string): boolean | null {
  return value === 'true' ? true : value === 'false' ? false : null;
}
