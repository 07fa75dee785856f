import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { isLocale, t, WORKING_LOCALE } from '../i18n/i18n.js';

/** Where a person sets their password; the token rides in the fragment, never in a log line. */
export function activationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/console/activate#token=${token}`;
}

/**
 * Sends activation links straight away (not through the outbox, which would store the
 * token in clear). A failure is logged without the link and does not undo the creation:
 * the admin still has the token from the response.
 */
@Injectable()
export class ActivationMailer implements OnApplicationShutdown {
  private readonly logger = new Logger(ActivationMailer.name);
  private transport?: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(
    to: string | null,
    user: { username: string; displayName: string; locale: string },
    token: string,
  ): Promise<boolean> {
    if (!to || !this.config.smtpUrl) return false;
    this.transport ??= createTransport({ url: this.config.smtpUrl, connectionTimeout: 10_000 });
    const locale = isLocale(user.locale) ? user.locale : WORKING_LOCALE;
    try {
      await this.transport.sendMail({
        from: `CCC <noreply@${new URL(this.config.publicUrl).hostname}>`,
        to,
        subject: t(locale, 'activation.subject'),
        text: t(locale, 'activation.body', {
          name: user.displayName,
          link: activationLink(this.config.publicUrl, token),
        }),
      });
      return true;
    } catch (err) {
      this.logger.warn(
        `Activation e-mail for user ${user.username} not sent: ${(err as Error).message}`,
      );
      return false;
    }
  }

  onApplicationShutdown() {
    this.transport?.close();
  }
}
