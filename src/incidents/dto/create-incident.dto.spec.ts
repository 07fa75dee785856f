import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../../common/validation.js';
import { CreateIncidentDto } from './create-incident.dto.js';

const base = {
  title: 'Phishing wave against banks',
  category: 'fraud/phishing',
  severity: 'high',
  tlp: 'TLP:AMBER',
  sector: 'finance',
};

async function fieldsOf(body: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(CreateIncidentDto, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  return [...new Set(flattenValidationErrors(errors).map((e) => e.field))];
}

describe('CreateIncidentDto', () => {
  it('accepts the minimal and the full body', async () => {
    expect(await fieldsOf(base)).toEqual([]);
    expect(
      await fieldsOf({
        ...base,
        description: 'x'.repeat(20_000),
        reportingState: 'BY',
        affectedStates: ['KZ', 'RU'],
        observables: [{ type: 'domain', value: 'evil.kz' }],
        occurredAt: '2026-03-01T10:00:00Z',
        detectedAt: '2026-03-01T12:30:00.123+03:00',
      }),
    ).toEqual([]);
    expect(await fieldsOf({ ...base, occurredAt: '2026-03-01' })).toEqual([]);
  });

  it('requires title, category, severity, tlp and sector', async () => {
    expect((await fieldsOf({})).sort()).toEqual(
      ['category', 'sector', 'severity', 'title', 'tlp'].sort(),
    );
  });

  it.each([
    ['title', { title: 'x'.repeat(301) }],
    ['title', { title: '' }],
    ['title', { title: '   ' }],
    ['description', { description: 'x'.repeat(20_001) }],
    ['category', { category: 'fraud/not-a-type' }],
    ['category', { category: 'fraud' }],
    ['severity', { severity: 'urgent' }],
    ['tlp', { tlp: 'TLP:WHITE' }],
    ['tlp', { tlp: 'amber' }],
    ['sector', { sector: 'space' }],
    ['reportingState', { reportingState: 'UA' }],
    ['affectedStates', { affectedStates: ['BY', 'BY'] }],
    ['affectedStates', { affectedStates: ['XX'] }],
    ['affectedStates', { affectedStates: 'BY' }],
    ['affectedStates', { affectedStates: ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ', 'AM'] }],
    ['occurredAt', { occurredAt: 'yesterday' }],
    ['occurredAt', { occurredAt: '2026-03-01T10:00:00' }],
    ['detectedAt', { detectedAt: '2026-02-30T10:00:00Z' }],
    ['colour', { colour: 'red' }],
  ])('rejects a bad %s', async (field, patch) => {
    expect(await fieldsOf({ ...base, ...patch })).toContain(field);
  });

  it('bounds observables at 500 and validates each by index', async () => {
    const many = Array.from({ length: 501 }, (_, i) => ({ type: 'asn', value: String(i) }));
    expect(await fieldsOf({ ...base, observables: many })).toEqual(['observables']);
    expect(await fieldsOf({ ...base, observables: many.slice(0, 500) })).toEqual([]);
    expect(
      await fieldsOf({
        ...base,
        observables: [
          { type: 'asn', value: '1' },
          { type: 'hostname', value: 'a.example' },
          { type: 'domain', value: 'a.example', note: 'x' },
          { type: 'domain' },
        ],
      }),
    ).toEqual(['observables[1].type', 'observables[2].note', 'observables[3].value']);
  });
});
