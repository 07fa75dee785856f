import { Webhook } from 'standardwebhooks';
import { signWebhook } from './webhook-signature.js';

describe('signWebhook', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

  it('matches the standardwebhooks reference implementation', () => {
    const at = new Date();
    const timestamp = Math.floor(at.getTime() / 1000);
    const body = JSON.stringify({ id: 'e1', type: 'incident.routed', data: { a: 'ü' } });
    const ours = signWebhook(secret, 'msg_1', timestamp, body);
    expect(ours).toBe(new Webhook(secret).sign('msg_1', at, body));
    expect(() =>
      new Webhook(secret).verify(body, {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': ours,
      }),
    ).not.toThrow();
  });
});
