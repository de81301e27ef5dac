import { Migration } from '@mikro-orm/migrations';

/** Stripe integration: per-tenant encrypted credentials and deduplicated webhook events (hand-written). */
export class Migration20261125120100_stripe extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "stripe_integrations" ("tenant_id" uuid not null, "secret_key_enc" text not null, "webhook_secret_enc" text not null, "secret_key_last4" varchar(4) not null, "webhook_secret_last4" varchar(4) not null, "account_id" varchar(255) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "stripe_integrations_pkey" primary key ("tenant_id"));`);

    this.addSql(`create table "stripe_events" ("tenant_id" uuid not null, "id" varchar(255) not null, "type" varchar(100) not null, "payload" jsonb not null, "status" varchar(16) not null, "invoice_id" uuid null, "payment_intent_id" varchar(255) null, "attempts" int not null default 0, "last_error" text null, "received_at" timestamptz not null, "processed_at" timestamptz null, constraint "stripe_events_pkey" primary key ("tenant_id", "id"));`);
    this.addSql(`create index "stripe_events_tenant_id_status_received_at_index" on "stripe_events" ("tenant_id", "status", "received_at");`);
    this.addSql(`create index "stripe_events_tenant_id_payment_intent_id_index" on "stripe_events" ("tenant_id", "payment_intent_id");`);
    this.addSql(`create index "stripe_events_status_received_at_index" on "stripe_events" ("status", "received_at");`);

    this.addSql(`alter table "stripe_integrations" add constraint "stripe_integrations_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "stripe_events" add constraint "stripe_events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stripe_events" add constraint "stripe_events_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stripe_events" cascade;`);
    this.addSql(`drop table if exists "stripe_integrations" cascade;`);
  }

}
