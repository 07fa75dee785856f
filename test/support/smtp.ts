import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent (headers and MIME parts). */
  raw: string;
  subject: string;
}

/** A real SMTP server on loopback that keeps every message it accepts. */
export class SmtpSink {
  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
    readonly messages: ReceivedMail[],
  ) {}

  static async start(): Promise<SmtpSink> {
    const messages: ReceivedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            // A long header is folded over several lines: unfolded here (RFC 5322 2.2.3).
            subject:
              /^Subject: (.*(?:\r?\n[ \t].*)*)/im
                .exec(raw)?.[1]
                ?.replace(/\r?\n(?=[ \t])/g, '')
                .trim() ?? '',
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    return new SmtpSink(server, `smtp://127.0.0.1:${port}`, messages);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The decoded text of a MIME part of the given type (quoted-printable or 7bit). */
export function mimePart(raw: string, contentType: string): string | null {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  const part = parts.find((p) => new RegExp(`^Content-Type: ${contentType}`, 'im').test(p));
  if (!part) return null;
  const [headers, ...body] = part.split(/\r?\n\r?\n/);
  const text = body.join('\n\n');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) {
    return Buffer.from(
      text
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
  if (/Content-Transfer-Encoding: base64/i.test(headers)) {
    return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return text;
}
