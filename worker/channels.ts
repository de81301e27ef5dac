/**
 * Delivery channels for rendered reminders. Every reminder goes to the Postgres outbox (a CRM or
 * mailer picks it up); SMTP is added when SMTP_URL is set. Channels must be idempotent per reminder:
 * a retried job delivers again.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTransport } from 'nodemailer';
import { v7 as uuidv7 } from 'uuid';

export interface ReminderMessage {
  reminderId: string;
  tenantId: string;
  invoiceId: string;
  /** Contact e-mail; null when the contact has none (the outbox still keeps the message). */
  recipient: string | null;
  from: string;
  subject: string;
  body: string;
  link: string;
}

export interface ReminderChannel {
  name: string;
  deliver(message: ReminderMessage): Promise<void>;
}

/** Stores the message (outbox_messages, db/reminder-entities.ts); the unique reminder id makes a second delivery a no-op. */
export function outboxChannel(orm: MikroORM): ReminderChannel {
  return {
    name: 'outbox',
    async deliver(m) {
      await orm.em.getConnection().execute(
        `insert into outbox_messages (id, tenant_id, reminder_id, invoice_id, recipient, subject, body, link, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, now()) on conflict (reminder_id) do nothing`,
        [uuidv7(), m.tenantId, m.reminderId, m.invoiceId, m.recipient, m.subject, m.body, m.link],
      );
    },
  };
}

/**
 * Sends through SMTP (nodemailer URL, e.g. smtp://user:pass@host:587). The Message-ID is derived
 * from the reminder so a mailbox can drop a duplicate of a retried delivery.
 */
export function smtpChannel(smtpUrl: string): ReminderChannel & { close(): void } {
  const transport = createTransport(smtpUrl);
  return {
    name: 'smtp',
    async deliver(m) {
      if (!m.recipient) return;
      await transport.sendMail({
        from: m.from,
        to: m.recipient,
        subject: m.subject,
        text: `${m.body}\n\n${m.link}\n`,
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
