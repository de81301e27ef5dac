import { Migration } from '@mikro-orm/migrations';

/**
 * GET /v1/payment-plans?contactId=… at a million installments: the contact is the invoice's, so the
 * list looked up each of the contact's invoices (500 in the bench) and its installments one by one,
 * then sorted them: 16–18 ms warm over HTTP, 318 ms in Postgres with a cold cache.
 * planned_payments.contact_id is a copy of its invoice's contact, filled on insert by the trigger
 * that already copies the invoice's status (Migration20261203310000_plan_invoice_status) and moved
 * if an invoice's contact ever changes (nothing changes it today), with an index in the list's order.
 * Like invoice_status, the entity does not map it: services/payment-plans.ts filters on it directly.
 *
 * ADD COLUMN, the backfill and the plain CREATE INDEX hold planned_payments exclusively until the
 * migration commits, as in Migration20261203310000_plan_invoice_status.
 */
export class Migration20261203330000_plan_contact extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "planned_payments" add column "contact_id" uuid;`);
    this.addSql(`create or replace function "planned_payments_invoice_status"() returns trigger language plpgsql as $$
    begin
      select status, contact_id into new.invoice_status, new.contact_id from invoices where id = new.invoice_id;
      return new;
    end $$;`);
    this.addSql(`create function "invoices_contact_to_plans"() returns trigger language plpgsql as $$
    begin
      update planned_payments set contact_id = new.contact_id where invoice_id = new.id;
      return null;
    end $$;`);
    this.addSql(`create trigger "invoices_contact_to_plans" after update of contact_id on "invoices" for each row when (old.contact_id is distinct from new.contact_id) execute function "invoices_contact_to_plans"();`);
    this.addSql(`update "planned_payments" p set "contact_id" = i."contact_id" from "invoices" i where i."id" = p."invoice_id";`);
    this.addSql(`alter table "planned_payments" alter column "contact_id" set not null;`);
    this.addSql(`create index "planned_payments_tenant_id_contact_id_date_id_index" on "planned_payments" ("tenant_id", "contact_id", "date", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "planned_payments_tenant_id_contact_id_date_id_index";`);
    this.addSql(`drop trigger if exists "invoices_contact_to_plans" on "invoices";`);
    this.addSql(`drop function if exists "invoices_contact_to_plans"();`);
    this.addSql(`create or replace function "planned_payments_invoice_status"() returns trigger language plpgsql as $$
    begin
      new.invoice_status := (select status from invoices where id = new.invoice_id);
      return new;
    end $$;`);
    this.addSql(`alter table "planned_payments" drop column if exists "contact_id";`);
  }

}
