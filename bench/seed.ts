/**
 * The million-invoice bench tenant, shared by the `web` and `read-model` sections: contacts,
 * invoices, their payment plans and the payments of the paid ones, inserted straight into Postgres
 * with INSERT … SELECT (no workflows: both sections only read) and kept in the bench database for
 * later runs. Each part is inserted when missing, so a tenant seeded by an older bench gains the
 * parts added since without re-inserting its invoices.
 */
import { Tenant } from '../db/entities';
import { scopeOf } from '../services/context';
import { createTenant } from '../services/tenants';

export const SEED_INVOICES = Number(process.env.BENCH_WEB_INVOICES ?? 1_000_000);
export const SEED_CONTACTS = 2_000;
export const SEED_TENANT_NAME = `bench-web-${SEED_INVOICES}`;

/** The kept bench tenant's id; its rows are inserted on the first run (or when the count changed). */
export async function seedTenant(deps: Parameters<typeof scopeOf>[0], log: (line: string) => void): Promise<string> {
  const em = deps.orm.em.fork();
  const sql = em.getConnection();
  const existing = await em.findOne(Tenant, { name: SEED_TENANT_NAME });
  const tenantId = existing?.id ?? (await createTenant(scopeOf(deps), { name: SEED_TENANT_NAME, plan: 'professional', timeZone: 'UTC' })).tenantId;
  const count = async (table: string) => Number((await sql.execute<{ n: string }[]>(`select exists (select 1 from ${table} where tenant_id = ?) as n`, [tenantId]))[0].n);
  let inserted = false;
  if (!(await count('invoices'))) {
    log(`inserting ${SEED_INVOICES} invoices (once; kept for later runs)`);
    await sql.execute(
      `insert into contacts (id, tenant_id, name, email, company, created_at, updated_at)
       select gen_random_uuid(), ?, 'Contact ' || g, null, null, now(), now() from generate_series(1, ?) g`,
      [tenantId, SEED_CONTACTS],
    );
    // Statuses and dates spread like a real book: most open, some overdue across the aging buckets, some paid or void.
    await sql.execute(
      `with c as (select id, row_number() over (order by id) as n from contacts where tenant_id = ?)
       insert into invoices (id, tenant_id, number, contact_id, deal_id, currency, issue_date, due_date, line_items, total, paid, due, status, state_version, created_at, updated_at)
       select gen_random_uuid(), ?, 'B' || lpad(g::text, 7, '0'), c.id, null, 'USD',
              current_date - (g % 200) - 30, current_date - (g % 200) + (case when g % 10 < 6 then 230 else 0 end),
              '[{"description":"Bench","quantity":1,"unitAmount":10000,"amount":10000}]'::jsonb, 10000,
              case when g % 10 = 8 then 10000 else 0 end, case when g % 10 = 8 then 0 else 10000 end,
              case when g % 10 < 6 then 'open' when g % 10 < 8 then 'overdue' when g % 10 = 8 then 'paid' else 'void' end,
              0, now() - g * interval '1 second', now()
       from generate_series(1, ?) g join c on c.n = 1 + g % ?`,
      [tenantId, tenantId, SEED_INVOICES, SEED_CONTACTS],
    );
    inserted = true;
  }
  if (!(await count('planned_payments'))) {
    log('inserting the payment plans (one installment on the due date per invoice, as createInvoice makes by default)');
    await sql.execute(
      `insert into planned_payments (id, tenant_id, invoice_id, seq, amount, date, method)
       select gen_random_uuid(), i.tenant_id, i.id, 0, i.total, i.due_date,
              (array['card', 'bank_transfer', null])[1 + (hashtext(i.number) & 3) % 3]
         from invoices i where i.tenant_id = ?`,
      [tenantId],
    );
    inserted = true;
  }
  if (!(await count('payments'))) {
    log('inserting the payments of the paid invoices');
    await sql.execute(
      `insert into payments (id, tenant_id, contact_id, invoice_id, amount, currency, date, method, reference, source, created_at)
       select gen_random_uuid(), i.tenant_id, i.contact_id, i.id, i.total, i.currency, i.due_date - 3,
              (array['card', 'bank_transfer', 'cash'])[1 + (hashtext(i.number) & 3) % 3], 'REF-' || i.number, 'manual', i.created_at + interval '3 days'
         from invoices i where i.tenant_id = ? and i.status = 'paid'`,
      [tenantId],
    );
    inserted = true;
  }
  if (inserted) await sql.execute('vacuum analyze invoices, contacts, planned_payments, payments');
  return tenantId;
}
