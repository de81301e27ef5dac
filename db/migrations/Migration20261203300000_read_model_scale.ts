import { Migration } from '@mikro-orm/migrations';

/**
 * The read model at a million invoices per tenant (bench `read-model`):
 *
 * - Trigram GIN indexes for the search `q` (ILIKE '%…%' on the invoice number and the contact name,
 *   db/repositories/invoices.ts says how the list uses them).
 * - `invoice_receivables`: what is unpaid per (tenant, currency, status, due date), kept exact by
 *   statement-level triggers on invoices — every writer (the workflow's activities, createInvoice,
 *   its undo, seeds and test helpers that insert rows directly) moves the totals in the statement
 *   that moves the invoice rows, inside its transaction. The unfiltered summary adds up these rows
 *   (a few hundred per tenant) instead of every unpaid invoice.
 *
 *   Each invoice counts in one of 8 shards (a hash of its id), so concurrent writes to invoices
 *   falling due the same day (a payment run, the midnight an invoice herd goes overdue) take 8
 *   different row locks instead of one. A statement applies its deltas in key order, so
 *   transactions writing one invoice each (as the workflow's activities do) never deadlock on
 *   them; a transaction writing several invoices in separate statements can, as it can on the
 *   invoice rows themselves, and is retried.
 *
 * Plain CREATE INDEX, not CONCURRENTLY: the migrator runs all pending migrations in one transaction
 * (db/orm.ts allOrNothing), where CONCURRENTLY is refused. Building blocks writes to the table
 * (not reads) while it runs: about 20 s for the trigram index at a million invoices on 2 cores.
 * A deployment that cannot pause writes builds them by hand first with CREATE INDEX CONCURRENTLY
 * IF NOT EXISTS under the same names, and this migration then finds them in place.
 */
const PLUS = `select tenant_id, currency, status, due_date, id, 1 as n, due from new_rows`;
const MINUS = `select tenant_id, currency, status, due_date, id, -1 as n, -due as due from old_rows`;
/** The rows each event adds to (+1, +due) and takes from (−1, −due) the totals. */
const CHANGED_ROWS = { insert: PLUS, update: `${PLUS} union all ${MINUS}`, delete: MINUS };

export class Migration20261203300000_read_model_scale extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create index if not exists "invoices_number_trgm_index" on "invoices" using gin ("number" gin_trgm_ops);`);
    this.addSql(`create index if not exists "contacts_name_trgm_index" on "contacts" using gin ("name" gin_trgm_ops);`);
    // A status filter with a date or amount order walks its own status only: without these, paid
    // invoices by -dueDate skipped the 600,000 open ones due later first (3–4 s).
    this.addSql(`create index if not exists "invoices_tenant_id_status_due_date_id_index" on "invoices" ("tenant_id", "status", "due_date", "id");`);
    this.addSql(`create index if not exists "invoices_tenant_id_status_total_id_index" on "invoices" ("tenant_id", "status", "total", "id");`);
    // The payments list's order (newest first by created_at, then id), and the payment plans' (date, id).
    this.addSql(`create index if not exists "payments_tenant_id_created_at_id_index" on "payments" ("tenant_id", "created_at", "id");`);
    this.addSql(`create index if not exists "planned_payments_tenant_id_date_id_index" on "planned_payments" ("tenant_id", "date", "id");`);

    this.addSql(`create table "invoice_receivables" (
      "tenant_id" uuid not null references "tenants" ("id") on update cascade on delete cascade,
      "currency" varchar(3) not null,
      "status" varchar(16) not null,
      "due_date" date not null,
      "shard" smallint not null,
      "count" bigint not null,
      "due" bigint not null,
      primary key ("tenant_id", "currency", "status", "due_date", "shard"));`);
    // One function per event: each reads the transition tables its event has (new_rows, old_rows).
    for (const [event, changed] of Object.entries(CHANGED_ROWS)) {
      this.addSql(`create function "invoice_receivables_${event}"() returns trigger language plpgsql as $$
      begin
        insert into invoice_receivables as r (tenant_id, currency, status, due_date, shard, count, due)
        select c.tenant_id, c.currency, c.status, c.due_date, hashtext(c.id::text) & 7, sum(c.n), sum(c.due)
          from (${changed}) c
         -- a tenant being deleted takes its totals with it (its own cascade)
         where c.status in ('open', 'overdue') and exists (select 1 from tenants t where t.id = c.tenant_id)
         group by 1, 2, 3, 4, 5
        having sum(c.n) <> 0 or sum(c.due) <> 0
         order by 1, 2, 3, 4, 5
        on conflict (tenant_id, currency, status, due_date, shard)
          do update set count = r.count + excluded.count, due = r.due + excluded.due;
        return null;
      end $$;`);
      const tables = { insert: 'new table as new_rows', update: 'old table as old_rows new table as new_rows', delete: 'old table as old_rows' }[event];
      this.addSql(`create trigger "invoices_receivables_${event}" after ${event} on "invoices" referencing ${tables} for each statement execute function "invoice_receivables_${event}"();`);
    }
    // The invoices already there. CREATE TRIGGER locked writers out until the migration commits, so
    // this counts exactly the rows the triggers will not.
    this.addSql(`insert into "invoice_receivables" (tenant_id, currency, status, due_date, shard, count, due)
      select tenant_id, currency, status, due_date, hashtext(id::text) & 7, count(*), sum(due)
        from invoices where status in ('open', 'overdue') group by 1, 2, 3, 4, 5;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "invoices_receivables_delete" on "invoices";`);
    this.addSql(`drop trigger if exists "invoices_receivables_update" on "invoices";`);
    this.addSql(`drop trigger if exists "invoices_receivables_insert" on "invoices";`);
    for (const event of Object.keys(CHANGED_ROWS)) this.addSql(`drop function if exists "invoice_receivables_${event}"();`);
    this.addSql(`drop table if exists "invoice_receivables";`);
    for (const index of ['planned_payments_tenant_id_date_id_index', 'payments_tenant_id_created_at_id_index', 'invoices_tenant_id_status_total_id_index', 'invoices_tenant_id_status_due_date_id_index']) {
      this.addSql(`drop index if exists "${index}";`);
    }
    this.addSql(`drop index if exists "contacts_name_trgm_index";`);
    this.addSql(`drop index if exists "invoices_number_trgm_index";`);
  }

}
