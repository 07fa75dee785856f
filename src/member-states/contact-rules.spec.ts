import {
  checkContacts,
  isWebhookSecret,
  normaliseEmail,
  planContactReplacement,
  redactUrl,
  toAuditEntry,
} from './contact-rules.js';

const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

describe('contact rules', () => {
  it('accepts Standard Webhooks secrets of 16 to 64 bytes', () => {
    expect(isWebhookSecret(secret)).toBe(true);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(16).toString('base64')}`)).toBe(true);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(15).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(65).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret(secret.slice(6))).toBe(false);
    expect(isWebhookSecret('whsec_not*base64*at*all*')).toBe(false);
    expect(isWebhookSecret(`whsec_${'A'.repeat(23)}`)).toBe(false); // bad padding
  });

  it('validates e-mail addresses and punycodes their domain', () => {
    expect(normaliseEmail('CERT@Gov.BY')).toBe('CERT@gov.by');
    expect(normaliseEmail('soc@пример.рф')).toBe('soc@xn--e1afmkfd.xn--p1ai');
    for (const bad of ['no-at-sign', '@gov.by', 'a@', 'a b@gov.by', 'a@gov', 'A <a@gov.by>']) {
      expect(normaliseEmail(bad)).toBeNull();
    }
  });

  it('names the offending field of each contact and echoes no value', () => {
    const { errors, value } = checkContacts([
      { type: 'webhook', url: 'ftp://hooks.example.by/x', secret },
      { type: 'webhook', url: 'https://hooks.example.by/x', secret: 'whsec_short' },
      { type: 'email', address: 'not-an-address' },
      { type: 'email', address: 'a@gov.by', secret },
      { type: 'webhook', secret },
      { type: 'email', address: 'ok@gov.by' },
    ]);
    expect(errors.map((e) => e.field)).toEqual([
      'contacts[0].url',
      'contacts[1].secret',
      'contacts[2].address',
      'contacts[3].secret',
      'contacts[4].url',
    ]);
    expect(JSON.stringify(errors)).not.toContain(secret.slice(6));
    expect(JSON.stringify(errors)).not.toContain('whsec_short');
    expect(JSON.stringify(errors)).not.toContain('hooks.example.by');
    expect(value).toEqual([
      { type: 'email', address: 'a@gov.by', locale: 'ru' },
      { type: 'email', address: 'ok@gov.by', locale: 'ru' },
    ]);
  });

  it('accepts http and https webhooks and stores the parsed URL', () => {
    const { errors, value } = checkContacts([
      { type: 'webhook', url: 'HTTP://Hooks.Example.BY:8080/a b', secret },
    ]);
    expect(errors).toEqual([]);
    expect(value).toEqual([{ type: 'webhook', url: 'http://hooks.example.by:8080/a%20b', secret }]);
  });

  it('refuses non-http schemes and over-long URLs', () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'gopher://x/', 'https://']) {
      expect(checkContacts([{ type: 'webhook', url, secret }]).errors).toHaveLength(1);
    }
    const long = `https://a.by/${'x'.repeat(2000)}`;
    expect(checkContacts([{ type: 'webhook', url: long, secret }]).errors).toHaveLength(1);
  });

  it('hides URL credentials in views and keeps only the origin in the audit', () => {
    expect(redactUrl('https://user:pw@hooks.by/p?token=1')).toBe('https://***@hooks.by/p?token=1');
    expect(redactUrl('https://hooks.by/p')).toBe('https://hooks.by/p');
    const audit = toAuditEntry({ type: 'webhook', url: 'https://u:p@hooks.by:444/t?k=v', secret });
    expect(audit).toEqual({ type: 'webhook', origin: 'https://hooks.by:444' });
  });

  it('plans a replacement that keeps the rows of contacts that stay', () => {
    const other = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
    const existing = [
      { id: 'a', type: 'webhook', url: 'https://a.example/x', address: null },
      { id: 'b', type: 'email', address: 'soc@a.example', url: null },
      { id: 'c', type: 'webhook', url: 'https://c.example/x', address: null },
      { id: 'd', type: 'webhook', url: 'https://a.example/x', address: null },
    ];
    const plan = planContactReplacement(existing, [
      { type: 'email', address: 'soc@a.example', locale: 'en' },
      { type: 'webhook', url: 'https://a.example/x', secret: other },
      { type: 'webhook', url: 'https://new.example/x', secret },
      // Same URL as an e-mail address would be: type is part of the match.
      { type: 'email', address: 'noc@a.example', locale: 'ru' },
    ]);
    expect(plan.keep).toEqual([
      { id: 'b', position: 0, secret: null, locale: 'en' },
      { id: 'a', position: 1, secret: other, locale: null },
    ]);
    expect(plan.insert).toEqual([
      { position: 2, contact: { type: 'webhook', url: 'https://new.example/x', secret } },
      { position: 3, contact: { type: 'email', address: 'noc@a.example', locale: 'ru' } },
    ]);
    expect(plan.remove.sort()).toEqual(['c', 'd']);
    expect(planContactReplacement(existing, []).remove).toHaveLength(4);
  });
});
