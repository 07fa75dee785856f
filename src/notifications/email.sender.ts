import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import type { Locale } from '../i18n/i18n.js';
import { AttemptResult } from './delivery-result.js';
import { renderEmail } from './email.template.js';
import { errorText } from './webhook.sender.js';

export interface EmailMessage {
  id: string;
  to: string;
  event: Record<string, unknown>;
  locale: Locale;
}

@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private transport?: Transporter;
  private readonly from: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.from = `CCC notifications <noreply@${new URL(config.publicUrl).hostname}>`;
  }

  async send(message: EmailMessage): Promise<AttemptResult> {
    const transport = this.transportOrNull();
    if (!transport) {
      return {
        delivered: false,
        statusCode: null,
        error: 'SMTP_URL is not configured: e-mail contacts cannot be delivered',
        permanent: true,
      };
    }
    const { subject, text, html } = renderEmail(message.event, message.locale);
    try {
      await transport.sendMail({
        from: this.from,
        to: message.to,
        subject,
        text,
        html,
        messageId: `<${message.id}@ccc.notifications>`,
        headers: { 'X-CCC-Delivery-Id': message.id },
      });
      return { delivered: true, statusCode: null, error: null };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode ?? null;
      return { delivered: false, statusCode: code, error: `SMTP: ${errorText(err)}` };
    }
  }

  /** One pooled transport per process, created on first use. */
  private transportOrNull(): Transporter | null {
    if (!this.config.smtpUrl) return null;
    this.transport ??= createTransport({
      url: this.config.smtpUrl,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
    });
    return this.transport;
  }

  /** After the queue workers drained (QueueDrainService): closing cuts in-flight sends. */
  onApplicationShutdown() {
    this.transport?.close();
  }
}
