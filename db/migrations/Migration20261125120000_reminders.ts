import { Migration } from '@mikro-orm/migrations';

/** Reminders: per-tenant policy, materialized schedule, outbox of rendered messages (hand-written). */
export class Migration20261125120000_reminders extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "reminder_policies" ("tenant_id" uuid not null, "policy" jsonb not null, "updated_at" timestamptz not null, constraint "reminder_policies_pkey" primary key ("tenant_id"));`);

    this.addSql(`create table "reminders" ("id" uuid not null, "tenant_id" uuid not null, "invoice_id" uuid not null, "key" varchar(64) not null, "kind" varchar(16) not null, "installment_id" uuid null, "offset" int not null, "step" int null, "scheduled_at" timestamptz not null, "date" date not null, "status" varchar(16) not null, "amount" bigint null, "attempts" int not null default 0, "last_error" text null, "skip_reason" varchar(32) null, "queued_at" timestamptz null, "sent_at" timestamptz null, "channel" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "reminders_pkey" primary key ("id"));`);
    this.addSql(`create index "reminders_tenant_id_scheduled_at_index" on "reminders" ("tenant_id", "scheduled_at");`);
    this.addSql(`create index "reminders_tenant_id_status_index" on "reminders" ("tenant_id", "status");`);
    this.addSql(`alter table "reminders" add constraint "reminders_invoice_id_key_unique" unique ("invoice_id", "key");`);

    this.addSql(`create table "outbox_messages" ("id" uuid not null, "tenant_id" uuid not null, "reminder_id" uuid not null, "invoice_id" uuid not null, "recipient" varchar(320) null, "subject" varchar(500) not null, "body" text not null, "link" varchar(1000) not null, "created_at" timestamptz not null, "delivered_at" timestamptz null, constraint "outbox_messages_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_messages_tenant_id_created_at_index" on "outbox_messages" ("tenant_id", "created_at");`);
    this.addSql(`alter table "outbox_messages" add constraint "outbox_messages_reminder_id_unique" unique ("reminder_id");`);

    this.addSql(`alter table "reminder_policies" add constraint "reminder_policies_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "reminders" add constraint "reminders_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reminders" add constraint "reminders_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "outbox_messages" add constraint "outbox_messages_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "outbox_messages" add constraint "outbox_messages_reminder_id_foreign" foreign key ("reminder_id") references "reminders" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "outbox_messages" add constraint "outbox_messages_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "outbox_messages" drop constraint "outbox_messages_reminder_id_foreign";`);
    this.addSql(`drop table if exists "outbox_messages" cascade;`);
    this.addSql(`drop table if exists "reminders" cascade;`);
    this.addSql(`drop table if exists "reminder_policies" cascade;`);
  }

}
