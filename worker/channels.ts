/**
 * Delivery channels for rendered reminders. Every reminder goes to the Postgres outbox (a CRM or
 * mailer picks it up); SMTP is added when SMTP_URL is set. Channels must be idempotent per reminder:
 * a retried job delivers again.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTransport } from 'nodemailer';
import { storeOutboxMessage } from '../db/repositories/outbox-messages';
import type { ReminderMessage } from '../domain/reminder-message';

export interface ReminderChannel {
  name: string;
  /** Sends files (the invoice PDF): the worker renders them only when a channel does. */
  attachments?: boolean;
  deliver(message: ReminderMessage): Promise<void>;
}

/** Stores the message in outbox_messages; the unique reminder id makes a second delivery a no-op. */
export function outboxChannel(orm: MikroORM): ReminderChannel {
  return {
    name: 'outbox',
    deliver: (m) => storeOutboxMessage(orm.em.fork(), m),
  };
}

/**
 * Sends through SMTP (nodemailer URL, e.g. smtp://user:pass@host:587): text and HTML bodies and the
 * invoice PDF. The Message-ID is derived from the reminder so a mailbox can drop a duplicate of a
 * retried delivery.
 */
export function smtpChannel(smtpUrl: string): ReminderChannel & { close(): void } {
  const transport = createTransport(smtpUrl);
  return {
    name: 'smtp',
    attachments: true,
    async deliver(m) {
      if (!m.recipient) return;
      await transport.sendMail({
        from: m.from,
        to: m.recipient,
        subject: m.subject,
        text: m.body.includes(m.link) ? `${m.body}\n` : `${m.body}\n\n${m.link}\n`,
        ...(m.html ? { html: m.html } : {}),
        attachments: (m.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })),
        messageId: `<reminder-${m.reminderId}@payment-center>`,
      });
    },
    close: () => transport.close(),
  };
}

/** The channels a process delivers through, from its configuration. */
export function channelsFromConfig(orm: MikroORM, config: { SMTP_URL?: string }): ReminderChannel[] {
  return [outboxChannel(orm), ...(config.SMTP_URL ? [smtpChannel(config.SMTP_URL)] : [])];
}
