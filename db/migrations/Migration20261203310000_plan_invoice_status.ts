import { Migration } from '@mikro-orm/migrations';

/**
 * GET /v1/payment-plans?invoiceStatus=… at a million installments: the list walks installments by
 * (date, id) and the status is the invoice's, so `open` (whose installments are all dated after the
 * paid and overdue ones) read 400,000 installments and as many invoice lookups first: 13 s.
 * planned_payments.invoice_status is a copy of its invoice's status, filled on insert and moved by
 * a trigger whenever an invoice's status changes (in the statement that changes it), with an index
 * in the list's order per status. The entity does not map it: services/payment-plans.ts filters on
 * it directly, nothing else reads it.
 *
 * payments (tenant_id, contact_id, created_at, id): the payments list of one contact, newest first,
 * without walking every payment of the tenant backwards (14 ms at 100,000 payments; now a few rows).
 *
 * Plain CREATE INDEX for the reason Migration20261203300000_read_model_scale gives. ADD COLUMN and
 * the backfill hold planned_payments exclusively until the migration commits: reads of installments
 * (the invoice list loads them) wait that long, about 20 s at a million on 2 cores.
 */
export class Migration20261203310000_plan_invoice_status extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "planned_payments" add column "invoice_status" varchar(16);`);
    this.addSql(`create function "planned_payments_invoice_status"() returns trigger language plpgsql as $$
    begin
      new.invoice_status := (select status from invoices where id = new.invoice_id);
      return new;
    end $$;`);
    this.addSql(`create trigger "planned_payments_invoice_status" before insert or update of invoice_id on "planned_payments" for each row execute function "planned_payments_invoice_status"();`);
    this.addSql(`create function "invoices_status_to_plans"() returns trigger language plpgsql as $$
    begin
      update planned_payments set invoice_status = new.status where invoice_id = new.id;
      return null;
    end $$;`);
    this.addSql(`create trigger "invoices_status_to_plans" after update of status on "invoices" for each row when (old.status is distinct from new.status) execute function "invoices_status_to_plans"();`);
    // The installments already there (CREATE TRIGGER holds writers off until the migration commits).
    this.addSql(`update "planned_payments" p set "invoice_status" = i."status" from "invoices" i where i."id" = p."invoice_id";`);
    this.addSql(`alter table "planned_payments" alter column "invoice_status" set not null;`);
    this.addSql(`create index "planned_payments_tenant_id_invoice_status_date_id_index" on "planned_payments" ("tenant_id", "invoice_status", "date", "id");`);
    this.addSql(`create index "payments_tenant_id_contact_id_created_at_id_index" on "payments" ("tenant_id", "contact_id", "created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "payments_tenant_id_contact_id_created_at_id_index";`);
    this.addSql(`drop trigger if exists "invoices_status_to_plans" on "invoices";`);
    this.addSql(`drop function if exists "invoices_status_to_plans"();`);
    this.addSql(`drop trigger if exists "planned_payments_invoice_status" on "planned_payments";`);
    this.addSql(`drop function if exists "planned_payments_invoice_status"();`);
    this.addSql(`alter table "planned_payments" drop column if exists "invoice_status";`);
  }

}
