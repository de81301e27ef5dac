/** outbox_messages: rendered reminders for a CRM or mailer to pick up; one per reminder. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { ReminderMessage } from '../../domain/reminder-message';

/** A second delivery of the same reminder is a no-op. */
export async function storeOutboxMessage(em: EntityManager, m: ReminderMessage): Promise<void> {
  await em.execute(
    `insert into outbox_messages (id, tenant_id, reminder_id, invoice_id, recipient, subject, body, link, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, now()) on conflict (reminder_id) do nothing`,
    [uuidv7(), m.tenantId, m.reminderId, m.invoiceId, m.recipient, m.subject, m.body, m.link],
  );
}
