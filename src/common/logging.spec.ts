import { Writable } from 'node:stream';
import { pino } from 'pino';
import { logLine, NestPinoLogger, pathOf, rootLoggerOptions } from './logging.js';

describe('logLine', () => {
  it('takes the last string as the context', () => {
    expect(logLine('started', ['Bootstrap'])).toEqual([{ context: 'Bootstrap' }, 'started']);
  });

  it('keeps fields given as an object, with the text after them', () => {
    const err = new Error('boom');
    expect(logLine({ err, url: '/x' }, ['unhandled error', 'ProblemFilter'])).toEqual([
      { context: 'ProblemFilter', err, url: '/x' },
      'unhandled error',
    ]);
  });

  it('logs an Error under err with its message', () => {
    const err = new Error('lost');
    expect(logLine(err, [undefined, 'Relay'])).toEqual([{ context: 'Relay', err }, 'lost']);
  });

  it('keeps a stack passed with an error text', () => {
    expect(logLine('failed', ['Error: x\n    at y', 'Worker'])).toEqual([
      { context: 'Worker', stack: 'Error: x\n    at y' },
      'failed',
    ]);
  });

  it('writes JSON lines through pino, below the level nothing', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = new NestPinoLogger(pino({ level: 'warn' }, sink));
    logger.log('hidden', 'Ctx');
    logger.warn({ id: 7 }, 'slow', 'Ctx');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 40, context: 'Ctx', id: 7, msg: 'slow' });
  });
});

describe('rootLoggerOptions', () => {
  it('censors secret headers and secret fields (h3-secrets)', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino(rootLoggerOptions({ logLevel: 'info' }), sink);
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer ccc_SECRET1',
            cookie: 'ccc_session=SECRET2',
            'x-csrf-token': 'SECRET3',
          },
        },
        res: { headers: { 'set-cookie': 'ccc_session=SECRET4' } },
        contact: { url: 'https://hooks.example.by/', secret: 'whsec_SECRET5' },
        password: 'SECRET6',
        body: { user: { token: 'SECRET7' } },
      },
      'request',
    );
    const line = lines.join('');
    expect(line).not.toMatch(/SECRET\d/);
    expect(line).toContain('[redacted]');
    expect(JSON.parse(line).contact.url).toBe('https://hooks.example.by/');
  });
});

describe('request lines', () => {
  it('log a request by its path: no query value reaches the log (OIDC code and state, searches)', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino(rootLoggerOptions({ logLevel: 'info' }), sink);
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/api/v1/auth/oidc/callback?code=SECRET1&state=SECRET2',
          host: 'ccc.example',
          ip: '192.0.2.7',
          headers: { cookie: 'ccc_oidc=SECRET3' },
          socket: { remotePort: 50123 },
        },
      },
      'request completed',
    );
    expect(lines.join('')).not.toMatch(/SECRET\d/);
    expect(JSON.parse(lines[0]).req).toEqual({
      method: 'GET',
      url: '/api/v1/auth/oidc/callback',
      host: 'ccc.example',
      remoteAddress: '192.0.2.7',
      remotePort: 50123,
    });
  });

  it('pathOf keeps the path and drops the query', () => {
    expect(pathOf('/api/v1/incidents?q=198.51.100.7&limit=5')).toBe('/api/v1/incidents');
    expect(pathOf('/api/v1/incidents')).toBe('/api/v1/incidents');
    expect(pathOf('/x?')).toBe('/x');
  });
});
