import { Migration } from '@mikro-orm/migrations';

export class Migration20261125112343_core extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "tenants" ("id" uuid not null, "name" varchar(255) not null, "plan" varchar(20) not null, "time_zone" varchar(255) not null default 'UTC', "invoice_sequence" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "tenants_pkey" primary key ("id"));`);

    this.addSql(`create table "idempotency_keys" ("tenant_id" uuid not null, "key" varchar(255) not null, "request_hash" varchar(64) not null, "status_code" int null, "response_body" jsonb null, "created_at" timestamptz not null, constraint "idempotency_keys_pkey" primary key ("tenant_id", "key"));`);

    this.addSql(`create table "contacts" ("id" uuid not null, "tenant_id" uuid not null, "name" varchar(255) not null, "email" varchar(255) null, "company" varchar(255) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "contacts_pkey" primary key ("id"));`);
    this.addSql(`create index "contacts_tenant_id_name_index" on "contacts" ("tenant_id", "name");`);

    this.addSql(`create table "deals" ("id" uuid not null, "tenant_id" uuid not null, "contact_id" uuid not null, "name" varchar(255) not null, "amount" bigint not null, "currency" varchar(3) not null, "created_at" timestamptz not null, constraint "deals_pkey" primary key ("id"));`);

    this.addSql(`create table "invoices" ("id" uuid not null, "tenant_id" uuid not null, "number" varchar(64) not null, "contact_id" uuid not null, "deal_id" uuid null, "currency" varchar(3) not null, "issue_date" date not null, "due_date" date not null, "line_items" jsonb not null, "total" bigint not null, "paid" bigint not null, "due" bigint not null, "status" varchar(16) not null, "state_version" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "invoices_pkey" primary key ("id"));`);
    this.addSql(`create index "invoices_tenant_id_status_index" on "invoices" ("tenant_id", "status");`);
    this.addSql(`create index "invoices_tenant_id_contact_id_index" on "invoices" ("tenant_id", "contact_id");`);
    this.addSql(`alter table "invoices" add constraint "invoices_tenant_id_number_unique" unique ("tenant_id", "number");`);

    this.addSql(`create table "planned_payments" ("id" uuid not null, "tenant_id" uuid not null, "invoice_id" uuid not null, "seq" int not null, "amount" bigint not null, "date" date not null, "method" varchar(20) null, constraint "planned_payments_pkey" primary key ("id"));`);
    this.addSql(`create index "planned_payments_tenant_id_date_index" on "planned_payments" ("tenant_id", "date");`);
    this.addSql(`alter table "planned_payments" add constraint "planned_payments_invoice_id_seq_unique" unique ("invoice_id", "seq");`);

    this.addSql(`create table "payments" ("id" uuid not null, "tenant_id" uuid not null, "contact_id" uuid not null, "invoice_id" uuid null, "amount" bigint not null, "currency" varchar(3) not null, "date" date not null, "method" varchar(20) not null, "reference" varchar(255) null, "source" varchar(10) not null, "created_at" timestamptz not null, constraint "payments_pkey" primary key ("id"));`);
    this.addSql(`create index "payments_tenant_id_invoice_id_index" on "payments" ("tenant_id", "invoice_id");`);
    this.addSql(`create index "payments_tenant_id_contact_id_index" on "payments" ("tenant_id", "contact_id");`);
    this.addSql(`create index "payments_tenant_id_date_index" on "payments" ("tenant_id", "date");`);

    this.addSql(`create table "invoice_events" ("id" uuid not null, "tenant_id" uuid not null, "invoice_id" uuid not null, "type" varchar(32) not null, "dedupe_key" varchar(255) not null, "data" jsonb not null, "occurred_at" timestamptz not null, constraint "invoice_events_pkey" primary key ("id"));`);
    this.addSql(`alter table "invoice_events" add constraint "invoice_events_invoice_id_dedupe_key_unique" unique ("invoice_id", "dedupe_key");`);

    this.addSql(`create table "api_keys" ("id" uuid not null, "tenant_id" uuid not null, "prefix" varchar(16) not null, "key_hash" varchar(64) not null, "created_at" timestamptz not null, "revoked_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");`);

    this.addSql(`alter table "idempotency_keys" add constraint "idempotency_keys_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "contacts" add constraint "contacts_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "deals" add constraint "deals_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "deals" add constraint "deals_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade;`);

    this.addSql(`alter table "invoices" add constraint "invoices_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "invoices" add constraint "invoices_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade;`);
    this.addSql(`alter table "invoices" add constraint "invoices_deal_id_foreign" foreign key ("deal_id") references "deals" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "planned_payments" add constraint "planned_payments_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "planned_payments" add constraint "planned_payments_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "payments" add constraint "payments_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "payments" add constraint "payments_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade;`);
    this.addSql(`alter table "payments" add constraint "payments_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "invoice_events" add constraint "invoice_events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "invoice_events" add constraint "invoice_events_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "idempotency_keys" drop constraint "idempotency_keys_tenant_id_foreign";`);

    this.addSql(`alter table "contacts" drop constraint "contacts_tenant_id_foreign";`);

    this.addSql(`alter table "deals" drop constraint "deals_tenant_id_foreign";`);

    this.addSql(`alter table "invoices" drop constraint "invoices_tenant_id_foreign";`);

    this.addSql(`alter table "planned_payments" drop constraint "planned_payments_tenant_id_foreign";`);

    this.addSql(`alter table "payments" drop constraint "payments_tenant_id_foreign";`);

    this.addSql(`alter table "invoice_events" drop constraint "invoice_events_tenant_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_tenant_id_foreign";`);

    this.addSql(`alter table "deals" drop constraint "deals_contact_id_foreign";`);

    this.addSql(`alter table "invoices" drop constraint "invoices_contact_id_foreign";`);

    this.addSql(`alter table "payments" drop constraint "payments_contact_id_foreign";`);

    this.addSql(`alter table "invoices" drop constraint "invoices_deal_id_foreign";`);

    this.addSql(`alter table "planned_payments" drop constraint "planned_payments_invoice_id_foreign";`);

    this.addSql(`alter table "payments" drop constraint "payments_invoice_id_foreign";`);

    this.addSql(`alter table "invoice_events" drop constraint "invoice_events_invoice_id_foreign";`);

    this.addSql(`drop table if exists "tenants" cascade;`);

    this.addSql(`drop table if exists "idempotency_keys" cascade;`);

    this.addSql(`drop table if exists "contacts" cascade;`);

    this.addSql(`drop table if exists "deals" cascade;`);

    this.addSql(`drop table if exists "invoices" cascade;`);

    this.addSql(`drop table if exists "planned_payments" cascade;`);

    this.addSql(`drop table if exists "payments" cascade;`);

    this.addSql(`drop table if exists "invoice_events" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);
  }

}
