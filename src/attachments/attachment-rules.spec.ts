import {
  contentDisposition,
  parseMalwareFlag,
  parseRange,
  sanitiseFilename,
  servedContentType,
} from './attachment-rules.js';

describe('sanitiseFilename', () => {
  it('keeps a safe name as it is, with no original', () => {
    expect(sanitiseFilename('capture 2026-03.pcapng')).toEqual({
      filename: 'capture 2026-03.pcapng',
      original: null,
    });
    expect(sanitiseFilename('журнал.log').original).toBeNull();
  });

  it('replaces path separators and keeps the original', () => {
    expect(sanitiseFilename('../../etc/passwd')).toEqual({
      filename: '_.._etc_passwd',
      original: '../../etc/passwd',
    });
    expect(sanitiseFilename('C:\\Users\\x\\mail.eml').filename).toBe('C:_Users_x_mail.eml');
  });

  it('drops control and bidi characters', () => {
    expect(sanitiseFilename('a\r\nb\u0000c.txt').filename).toBe('abc.txt');
    expect(sanitiseFilename('invoice\u202Efdp.exe').filename).toBe('invoicefdp.exe');
  });

  it('never returns an empty or hidden name, and caps the length with the extension', () => {
    expect(sanitiseFilename('..').filename).toBe('attachment');
    expect(sanitiseFilename('\u0001').filename).toBe('attachment');
    expect(sanitiseFilename('.bashrc').filename).toBe('bashrc');
    const long = sanitiseFilename(`${'a'.repeat(400)}.pcap`).filename;
    expect(long).toHaveLength(255);
    expect(long.endsWith('.pcap')).toBe(true);
  });
});

describe('servedContentType', () => {
  it.each([
    'text/html',
    'text/plain',
    'image/svg+xml',
    'application/xml',
    'application/xhtml+xml',
    'application/pdf',
    'application/javascript',
    'application/x-shockwave-flash',
    'application/json',
    'application/octet-stream',
  ])('serves %s as application/octet-stream', (type) => {
    expect(servedContentType(type)).toBe('application/octet-stream');
  });

  it.each(['image/png', 'application/zip', 'application/vnd.tcpdump.pcap', 'video/mp4'])(
    'keeps the inert type %s',
    (type) => expect(servedContentType(type)).toBe(type),
  );
});

describe('parseRange', () => {
  it('reads one range, open or suffix', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'partial', start: 0, end: 999 });
  });

  it('refuses a range past the end', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores what it does not serve: none, several ranges, other units, nonsense', () => {
    for (const header of [undefined, 'bytes=0-1,5-6', 'items=0-1', 'bytes=5-1', 'bytes=x-']) {
      expect(parseRange(header, 1000)).toEqual({ kind: 'full' });
    }
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact name as filename*', () => {
    expect(contentDisposition('отчёт "1".txt')).toBe(
      `attachment; filename="_____ _1_.txt"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%221%22.txt`,
    );
  });
});

describe('parseMalwareFlag', () => {
  it('takes only true and false', () => {
    expect(parseMalwareFlag('true')).toBe(true);
    expect(parseMalwareFlag('false')).toBe(false);
    for (const v of ['', 'TRUE', '1', 'yes']) expect(parseMalwareFlag(v)).toBeNull();
  });
});
