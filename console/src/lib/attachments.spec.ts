import {
  acceptableFiles,
  canDelete,
  canUpload,
  downloadPath,
  formatSize,
  percent,
  sizeParts,
} from './attachments.js';

describe('attachment list rules', () => {
  it('picks the largest SI unit that keeps the size at 1 or more', () => {
    expect(sizeParts(0)).toEqual({ value: 0, unit: 'byte' });
    expect(sizeParts(999)).toEqual({ value: 999, unit: 'byte' });
    expect(sizeParts(1000)).toEqual({ value: 1, unit: 'kilobyte' });
    expect(sizeParts(1536)).toEqual({ value: 1.5, unit: 'kilobyte' });
    expect(sizeParts(999_949)).toEqual({ value: 999.9, unit: 'kilobyte' });
    // Would round to "1000 kB": one unit up instead.
    expect(sizeParts(999_950)).toEqual({ value: 1, unit: 'megabyte' });
    expect(sizeParts(26_214_400)).toEqual({ value: 26.2, unit: 'megabyte' });
    expect(sizeParts(3_500_000_000)).toEqual({ value: 3.5, unit: 'gigabyte' });
    expect(sizeParts(5e15)).toEqual({ value: 5_000_000, unit: 'gigabyte' });
    expect(sizeParts(-5)).toEqual({ value: 0, unit: 'byte' });
  });

  it("writes sizes in the reader's language", () => {
    expect(formatSize(1536, 'en')).toBe('1.5 kB');
    expect(formatSize(26_214_400, 'en')).toBe('26.2 MB');
    expect(formatSize(26_214_400, 'ru')).toMatch(/^26,2\s?МБ$/);
    expect(formatSize(512, 'en')).toBe('512 byte');
  });

  it('counts upload progress in whole percent, never past 100', () => {
    expect(percent(0, 0)).toBe(0);
    expect(percent(1, 3)).toBe(33);
    expect(percent(3, 3)).toBe(100);
    expect(percent(5, 3)).toBe(100);
    expect(percent(5, NaN)).toBe(0);
  });

  it('downloads a malware sample only as the zip, and deleted evidence not at all', () => {
    const a = { id: 'a1', filename: 'x.exe', size: 2, malware: false, deletedAt: null };
    expect(downloadPath('i1', a)).toBe('/api/v1/incidents/i1/attachments/a1/content');
    expect(downloadPath('i1', { ...a, malware: true })).toBe(
      '/api/v1/incidents/i1/attachments/a1/content?as=zip',
    );
    expect(downloadPath('i1', { ...a, deletedAt: '2026-11-29T10:00:00Z' })).toBeNull();
  });

  it('offers uploads to coordinators and to analysts of the parties only', () => {
    const incident = { reportingState: 'BY', dispatches: [{ state: 'KZ' }] };
    expect(canUpload({ role: 'coordinator', state: null }, incident)).toBe(true);
    expect(canUpload({ role: 'analyst', state: 'BY' }, incident)).toBe(true);
    expect(canUpload({ role: 'analyst', state: 'KZ' }, incident)).toBe(true);
    expect(canUpload({ role: 'analyst', state: 'AM' }, incident)).toBe(false);
    expect(canUpload({ role: 'admin', state: null }, incident)).toBe(false);
  });

  it('offers deletion to coordinators, once', () => {
    const a = { id: 'a1', filename: 'x', size: 1, malware: false, deletedAt: null };
    expect(canDelete({ role: 'coordinator', state: null }, a)).toBe(true);
    expect(canDelete({ role: 'analyst', state: 'BY' }, a)).toBe(false);
    expect(canDelete({ role: 'coordinator', state: null }, { ...a, deletedAt: 'x' })).toBe(false);
  });

  it('sets empty files apart (the service refuses them)', () => {
    const files = [
      { name: 'a', size: 3, type: 'text/plain' },
      { name: 'folder', size: 0, type: '' },
    ];
    expect(acceptableFiles(files)).toEqual({ accepted: [files[0]], empty: [files[1]] });
  });
});
