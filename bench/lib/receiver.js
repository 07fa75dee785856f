// A webhook receiver on loopback for the benchmarks: notes when each incident's webhook first
// arrives, counts every delivery per webhook-id (exactly once means one each) and checks
// signatures.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

export async function startReceiver(secret) {
  const arrivals = new Map();
  const deliveries = new Map();
  const verifier = new Webhook(secret);
  let badSignatures = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(200).end('ok');
      if (req.url === '/baseline') return;
      try {
        const event = verifier.verify(body, req.headers);
        const webhookId = req.headers['webhook-id'];
        deliveries.set(webhookId, (deliveries.get(webhookId) ?? 0) + 1);
        const id = event.data?.incident?.id;
        if (id && !arrivals.has(id)) arrivals.set(id, at);
      } catch {
        badSignatures++;
      }
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    arrivals,
    /** Webhook ids that arrived more than once. */
    duplicates: () => [...deliveries.values()].filter((n) => n > 1).length,
    badSignatures: () => badSignatures,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
