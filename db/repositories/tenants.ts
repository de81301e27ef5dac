/** tenants.invoice_sequence: the counter behind generated invoice numbers; what a creation reads of its tenant's settings. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_INVOICE_NUMBER_FORMAT, type InvoiceNumberFormat } from '../../domain/numbering';
import type { ReminderPolicy } from '../../domain/reminders';

/** What creating an invoice needs of its tenant's settings, in one statement (absent settings: the defaults). */
export async function invoiceCreationSettings(em: EntityManager, tenantId: string): Promise<{ numberFormat: InvoiceNumberFormat; reminderPolicy: ReminderPolicy | null }> {
  const [row] = await em.execute<{ prefix: string | null; padding: number | null; policy: ReminderPolicy | null }[]>(
    `select s.invoice_number_prefix as prefix, s.invoice_number_padding as padding, p.policy
       from tenants t left join company_settings s on s.tenant_id = t.id left join reminder_policies p on p.tenant_id = t.id
      where t.id = ?`,
    [tenantId],
  );
  return {
    numberFormat: { prefix: row?.prefix ?? DEFAULT_INVOICE_NUMBER_FORMAT.prefix, padding: row?.padding ?? DEFAULT_INVOICE_NUMBER_FORMAT.padding },
    reminderPolicy: row?.policy ?? null,
  };
}

/**
 * Takes the tenant's next sequence number inside `em`'s transaction: run on a separate pooled
 * connection it would hold one connection while waiting for another, so N parallel creations on a
 * pool of N deadlocked until the acquire timeout.
 */
export async function takeInvoiceSequence(em: EntityManager, tenantId: string): Promise<number> {
  const [row] = await em.execute<{ invoice_sequence: number }[]>('update tenants set invoice_sequence = invoice_sequence + 1 where id = ? returning invoice_sequence', [tenantId]);
  return row.invoice_sequence;
}
