/** Observable types the service accepts (CONTRACT: observables). */
export type ObservableType =
  'ipv4' | 'ipv6' | 'domain' | 'url' | 'email' | 'md5' | 'sha1' | 'sha256' | 'cve' | 'asn';

export interface Indicator {
  type: ObservableType;
  value: string;
}

/** Undoes the usual defanging (`hxxp://evil[.]example`, `user[at]mail[.]ru`). */
export function refang(text: string): string {
  return text
    .replace(/\bhxxp(s?)(?=:\/\/|\[:\]\/\/)/gi, 'http$1')
    .replace(/\bfxp(?=:\/\/)/gi, 'ftp')
    .replace(/\[:\/\/\]/g, '://')
    .replace(/\[:\]/g, ':')
    .replace(/\[(?:\.|dot)\]|\((?:\.|dot)\)|\{(?:\.|dot)\}/gi, '.')
    .replace(/\[(?:@|at)\]|\((?:@|at)\)/gi, '@');
}

/** Makes an indicator safe to show: nothing in it is a live link any more. */
export function defang(value: string): string {
  return value
    .replace(/^http(s?):\/\//i, 'hxxp$1://')
    .replace(/^ftp:\/\//i, 'fxp://')
    .replace(/\./g, '[.]')
    .replace(/@/g, '[@]');
}

const PATTERNS: [ObservableType, RegExp][] = [
  ['url', /\b(?:https?|ftp):\/\/[^\s<>"'`]+/gi],
  ['email', /\b[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63}\b/g],
  ['cve', /\bCVE-\d{4}-\d{4,}\b/gi],
  ['sha256', /\b[A-Fa-f0-9]{64}\b/g],
  ['sha1', /\b[A-Fa-f0-9]{40}\b/g],
  ['md5', /\b[A-Fa-f0-9]{32}\b/g],
  ['ipv4', /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g],
  ['ipv6', /(?<![\w:.])[A-Fa-f0-9]{0,4}(?::[A-Fa-f0-9]{0,4}){2,7}(?![\w:])/g],
  ['asn', /\bAS\d{1,10}\b/gi],
  [
    'domain',
    /\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[a-z0-9-]{1,59})\b/g,
  ],
];

/**
 * Indicators in pasted free text, refanged, each once, in order of appearance. What a URL or
 * an e-mail address contains (its host) is not listed again on its own.
 */
export function extractIndicators(text: string): Indicator[] {
  let rest = refang(text);
  const found: { at: number; indicator: Indicator }[] = [];
  for (const [type, pattern] of PATTERNS) {
    rest = rest.replace(pattern, (match: string, offset: number) => {
      if (type === 'ipv6' && !isIpv6(match)) return match;
      const value = type === 'url' ? match.replace(/[.,;:!?)\]]+$/, '') : match;
      found.push({ at: offset, indicator: { type, value: normalise(type, value) } });
      return ' '.repeat(match.length);
    });
  }
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.at - b.at)
    .map((f) => f.indicator)
    .filter((i) => {
      const key = `${i.type}|${i.value}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** The URL parser knows IPv6 text forms better than any regular expression. */
function isIpv6(text: string): boolean {
  if (!text.includes('::') && text.split(':').length !== 8) return false;
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function normalise(type: ObservableType, value: string): string {
  switch (type) {
    case 'domain':
      return value.toLowerCase();
    case 'md5':
    case 'sha1':
    case 'sha256':
      return value.toLowerCase();
    case 'cve':
    case 'asn':
      return value.toUpperCase();
    default:
      return value;
  }
}
