/** payments: rows written outside an invoice workflow (payments on no invoice, allocation parents and remainders). */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentMethod, PaymentSource } from '../../domain/payment';
import { Payment } from '../entities';

export interface PaymentRow {
  id: string;
  tenantId: string;
  contactId: string;
  invoiceId: string | null;
  amount: number;
  currency: string;
  date: string;
  method: PaymentMethod;
  reference: string | null;
  source: PaymentSource;
  parentId?: string | null;
  allocated?: boolean;
}

/** Inserts once (a retry with the same id changes nothing). */
export async function insertPayment(em: EntityManager, r: PaymentRow): Promise<void> {
  const { tenantId, contactId, invoiceId, ...fields } = r;
  await em
    .createQueryBuilder(Payment)
    .insert({ ...fields, tenant: tenantId, contact: contactId, invoice: invoiceId, parentId: r.parentId ?? null, allocated: r.allocated ?? false, createdAt: new Date() })
    .onConflict('id')
    .ignore()
    .execute();
}

/** Whether a payment id is already recorded for the tenant: a retry's first question, asked of every new payment, so one cheap probe. */
export async function paymentRecorded(em: EntityManager, tenantId: string, id: string): Promise<boolean> {
  const rows = await em.execute<unknown[]>('select 1 from payments where id = ? and tenant_id = ?', [id, tenantId]);
  return rows.length > 0;
}
