import { Migration } from '@mikro-orm/migrations';

/**
 * Correcting and moving money (hand-written): voided payments, allocation parents, credit notes and
 * write-offs on the invoice, the contact credit ledger, and refunds asked for from here.
 */
export class Migration20261203000000_money_corrections extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoices" add column "credited" bigint not null default 0, add column "written_off" bigint not null default 0;`);
    this.addSql(
      `alter table "payments" add column "voided_at" timestamptz null, add column "void_reason" text null, add column "voided_by" varchar(255) null, ` +
        `add column "parent_id" uuid null, add column "allocated" boolean not null default false;`,
    );
    this.addSql(`create index "payments_parent_id_index" on "payments" ("parent_id") where "parent_id" is not null;`);

    // One row per movement of a contact's credit (signed); `ref` makes each movement happen once.
    this.addSql(`create table "contact_credit_entries" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "contact_id" uuid not null references "contacts" ("id") on delete cascade,
      "currency" varchar(3) not null,
      "amount" bigint not null check ("amount" <> 0),
      "kind" varchar(32) not null,
      "ref" varchar(255) not null,
      "payment_id" uuid null,
      "invoice_id" uuid null,
      "created_at" timestamptz not null default now(),
      constraint "contact_credit_entries_ref_unique" unique ("tenant_id", "ref"));`);
    this.addSql(`create index "contact_credit_entries_contact_index" on "contact_credit_entries" ("tenant_id", "contact_id", "created_at");`);
    // The authority: the balance row is updated in the entry's transaction; the check refuses any
    // movement that would spend credit twice (the second of two racing debits sees the first's row lock, then the check).
    this.addSql(`create table "contact_credit_balances" (
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "contact_id" uuid not null references "contacts" ("id") on delete cascade,
      "currency" varchar(3) not null,
      "balance" bigint not null constraint "contact_credit_balance_not_negative" check ("balance" >= 0),
      "updated_at" timestamptz not null default now(),
      primary key ("tenant_id", "contact_id", "currency"));`);
    // What was credit before the ledger: payments on no invoice.
    this.addSql(`insert into "contact_credit_entries" ("id", "tenant_id", "contact_id", "currency", "amount", "kind", "ref", "payment_id", "created_at")
      select gen_random_uuid(), "tenant_id", "contact_id", "currency", "amount", 'unapplied_payment', 'payment:' || "id", "id", "created_at"
        from "payments" where "invoice_id" is null;`);
    this.addSql(`insert into "contact_credit_balances" ("tenant_id", "contact_id", "currency", "balance")
      select "tenant_id", "contact_id", "currency", sum("amount") from "contact_credit_entries" group by 1, 2, 3;`);

    this.addSql(`create table "refunds" (
      "id" varchar(255) not null,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "payment_id" uuid not null references "payments" ("id") on delete cascade,
      "amount" bigint not null,
      "currency" varchar(3) not null,
      "status" varchar(32) not null,
      "reason" text null,
      "failure_reason" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      primary key ("tenant_id", "id"));`);
    this.addSql(`create index "refunds_payment_index" on "refunds" ("tenant_id", "payment_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "refunds";`);
    this.addSql(`drop table if exists "contact_credit_balances";`);
    this.addSql(`drop table if exists "contact_credit_entries";`);
    this.addSql(`drop index if exists "payments_parent_id_index";`);
    this.addSql(`alter table "payments" drop column if exists "voided_at", drop column if exists "void_reason", drop column if exists "voided_by", drop column if exists "parent_id", drop column if exists "allocated";`);
    this.addSql(`alter table "invoices" drop column if exists "credited", drop column if exists "written_off";`);
  }
}
