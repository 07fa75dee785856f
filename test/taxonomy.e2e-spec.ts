import rsit from '../src/vocabulary/data/rsit.json' with { type: 'json' };
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const SLA = { critical: 600, high: 3_600, medium: 14_400, low: 86_400 };
const CYRILLIC = /[а-яё]/i;

interface Text {
  en: string;
  ru: string;
}

/** `GET /api/v1/taxonomy`: the vocabulary with English and Russian names, for any caller. */
describe('Taxonomy', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let analyst: Api;

  beforeAll(async () => {
    env = await createTestEnv('taxonomy');
    service = await startService(env, {
      env: {
        CCC_SLA_ACK_SECONDS: Object.entries(SLA)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        CCC_ESCALATION_MAX_LEVEL: '2',
      },
    });
    admin = new Api(service.url);
    analyst = admin.as(await admin.createKey('analyst', 'TJ'));
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  const bilingual = (text: Text) => {
    expect(text.en).toEqual(expect.any(String));
    expect(text.en).not.toMatch(CYRILLIC);
    expect(text.ru).toMatch(CYRILLIC);
  };

  it('gives every RSIT class and category with English and Russian labels and descriptions', async () => {
    const res = await analyst.get('/api/v1/taxonomy');
    expect(res.status).toBe(200);
    const { classes } = res.body.rsit;
    expect(res.body.rsit.version).toBe(rsit.version);
    expect(classes.map((c: { value: string }) => c.value)).toEqual(
      rsit.predicates.map((p) => p.value),
    );
    const categories = classes.flatMap((c: { categories: unknown[] }) => c.categories);
    expect(categories.map((c: { value: string }) => c.value)).toEqual(
      rsit.values.flatMap((g) => g.entry.map((e) => `${g.predicate}/${e.value}`)),
    );
    expect(classes).toHaveLength(11);
    expect(categories).toHaveLength(39);
    for (const c of classes) {
      bilingual(c.label);
      bilingual(c.description);
    }
    for (const c of categories) {
      bilingual(c.label);
      bilingual(c.description);
    }
    // ENISA's English text, as published.
    const phishing = categories.find((c: { value: string }) => c.value === 'fraud/phishing');
    expect(phishing).toMatchObject({ type: 'phishing', label: { en: 'Phishing', ru: 'Фишинг' } });
    expect(phishing.description.en).toMatch(/^Masquerading as another entity/);
  });

  it('gives TLP 2.0, severities with their deadlines, sectors, member states and statuses', async () => {
    const { body } = await analyst.get('/api/v1/taxonomy');
    expect(body.tlp.map((t: { value: string }) => t.value)).toEqual([
      'TLP:RED',
      'TLP:AMBER+STRICT',
      'TLP:AMBER',
      'TLP:GREEN',
      'TLP:CLEAR',
    ]);
    for (const t of body.tlp) {
      expect(t.label).toEqual({ en: t.value, ru: t.value });
      bilingual(t.description);
      expect(t.color).toMatch(/^#[0-9A-F]{6}$/);
    }
    expect(body.severities).toEqual(
      Object.entries(SLA).map(([value, seconds]) => ({
        value,
        label: expect.any(Object),
        ackDeadlineSeconds: seconds,
      })),
    );
    expect(body.escalation).toEqual({ maxLevel: 2 });
    expect(body.sectors.map((s: { value: string }) => s.value)).toEqual([
      'energy',
      'finance',
      'government',
      'defence',
      'telecom',
      'transport',
      'health',
      'water',
      'education',
      'other',
    ]);
    expect(body.memberStates.map((s: { value: string }) => s.value)).toEqual([
      'AM',
      'BY',
      'KZ',
      'KG',
      'RU',
      'TJ',
    ]);
    expect(body.statuses).toHaveLength(7);
    expect(body.dispatchStatuses.map((s: { value: string }) => s.value)).toEqual([
      'pending',
      'notified',
      'acknowledged',
    ]);
    for (const list of [
      body.severities,
      body.sectors,
      body.memberStates,
      body.statuses,
      body.dispatchStatuses,
    ]) {
      for (const term of list) bilingual(term.label);
    }
  });

  it('takes every category it lists as an incident category', async () => {
    const { body } = await admin.get('/api/v1/taxonomy');
    const coordinator = admin.as(await admin.createKey('coordinator'));
    const values: string[] = body.rsit.classes.flatMap((c: { categories: { value: string }[] }) =>
      c.categories.map((k) => k.value),
    );
    for (const category of values) {
      const res = await coordinator.post('/api/v1/incidents', {
        title: `Taxonomy ${category}`,
        category,
        severity: body.severities[0].value,
        tlp: body.tlp[4].value,
        sector: body.sectors[0].value,
        reportingState: body.memberStates[0].value,
      });
      expect({ category, status: res.status }).toEqual({ category, status: 201 });
    }
  });

  it('needs a caller', async () => {
    const res = await new Api(service.url, '').get('/api/v1/taxonomy');
    expect(res.status).toBe(401);
  });
});
