import { Migration } from '@mikro-orm/migrations';

/**
 * Outbound webhooks (hand-written). The outbox is filled by an AFTER INSERT trigger on
 * invoice_events, so every writer of the history (the workflow's activities, invoice creation, the
 * reminder worker, and any added later) produces its webhook event in its own transaction without
 * knowing about webhooks: none lost when a process dies after committing, none when a rollback undoes
 * the history row, none for a replayed insert that ON CONFLICT DO NOTHING skipped (no row, no trigger).
 * The trigger captures only the history types webhooks derive from (domain/webhook-events.ts
 * WEBHOOK_SOURCE_TYPES, compared by a test) and only for tenants with an endpoint; it takes the next
 * per-invoice sequence number (a row lock per invoice, so sequence order is commit order) and the
 * invoice's figures as the same transaction sees them.
 */
export class Migration20261203100000_webhooks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "webhook_endpoints" ("id" uuid not null, "tenant_id" uuid not null, "url" varchar(2000) not null, "description" varchar(500) null, "event_types" jsonb not null, "secret_enc" text not null, "secret_last4" varchar(4) not null, "enabled" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "webhook_endpoints_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoints_tenant_id_created_at_index" on "webhook_endpoints" ("tenant_id", "created_at");`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "webhook_invoice_sequences" ("invoice_id" uuid not null, "last_sequence" int not null, constraint "webhook_invoice_sequences_pkey" primary key ("invoice_id"));`);
    this.addSql(`alter table "webhook_invoice_sequences" add constraint "webhook_invoice_sequences_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete cascade;`);

    // The outbox: one row per captured history row (same id). type is set by the relay (null: no webhook).
    this.addSql(`create table "webhook_events" ("id" uuid not null, "tenant_id" uuid not null, "invoice_id" uuid not null, "history_type" varchar(32) not null, "type" varchar(40) null, "sequence" int not null, "data" jsonb not null, "invoice" jsonb not null, "occurred_at" timestamptz not null, "created_at" timestamptz not null default now(), "relayed_at" timestamptz null, constraint "webhook_events_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_events_unrelayed_index" on "webhook_events" ("created_at") where "relayed_at" is null;`);
    this.addSql(`alter table "webhook_events" add constraint "webhook_events_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_events" add constraint "webhook_events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "webhook_deliveries" ("id" uuid not null, "tenant_id" uuid not null, "endpoint_id" uuid not null, "event_id" uuid not null, "invoice_id" uuid not null, "sequence" int not null, "event_type" varchar(40) not null, "status" varchar(16) not null, "attempts" int not null default 0, "queued_at" timestamptz not null, "next_attempt_at" timestamptz null, "last_attempt_at" timestamptz null, "last_status_code" int null, "last_latency_ms" int null, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null, constraint "webhook_deliveries_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_event_id_unique" unique ("endpoint_id", "event_id");`);
    this.addSql(`create index "webhook_deliveries_due_index" on "webhook_deliveries" ("next_attempt_at") where "status" = 'pending';`);
    this.addSql(`create index "webhook_deliveries_order_index" on "webhook_deliveries" ("endpoint_id", "invoice_id", "sequence") where "status" = 'pending';`);
    this.addSql(`create index "webhook_deliveries_endpoint_id_created_at_index" on "webhook_deliveries" ("endpoint_id", "created_at", "id");`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_event_id_foreign" foreign key ("event_id") references "webhook_events" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "webhook_delivery_attempts" ("id" uuid not null, "delivery_id" uuid not null, "attempt" int not null, "started_at" timestamptz not null, "status_code" int null, "latency_ms" int not null, "error" text null, constraint "webhook_delivery_attempts_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_delivery_attempts_delivery_id_index" on "webhook_delivery_attempts" ("delivery_id", "attempt");`);
    this.addSql(`alter table "webhook_delivery_attempts" add constraint "webhook_delivery_attempts_delivery_id_foreign" foreign key ("delivery_id") references "webhook_deliveries" ("id") on update cascade on delete cascade;`);

    this.addSql(`create function webhook_outbox_capture() returns trigger language plpgsql as $$
declare
  seq int;
  inv record;
begin
  if not exists (select 1 from webhook_endpoints where tenant_id = new.tenant_id) then
    return null;
  end if;
  insert into webhook_invoice_sequences (invoice_id, last_sequence) values (new.invoice_id, 1)
    on conflict (invoice_id) do update set last_sequence = webhook_invoice_sequences.last_sequence + 1
    returning last_sequence into seq;
  select id, number, status, total, paid, due, currency, contact_id into inv from invoices where id = new.invoice_id;
  insert into webhook_events (id, tenant_id, invoice_id, history_type, sequence, data, invoice, occurred_at)
  values (new.id, new.tenant_id, new.invoice_id, new.type, seq, new.data,
    jsonb_build_object('id', inv.id, 'number', inv.number, 'status', inv.status, 'total', inv.total, 'paid', inv.paid, 'due', inv.due, 'currency', inv.currency, 'contactId', inv.contact_id),
    new.occurred_at);
  return null;
end $$;`);
    this.addSql(`create trigger "invoice_events_webhook_outbox" after insert on "invoice_events" for each row
when (new.type in ('created', 'paid', 'became_overdue', 'reopened', 'voided', 'payment_applied', 'payment_voided', 'payment_reversed', 'reminder_sent'))
execute function webhook_outbox_capture();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "invoice_events_webhook_outbox" on "invoice_events";`);
    this.addSql(`drop function if exists webhook_outbox_capture();`);
    this.addSql(`drop table if exists "webhook_delivery_attempts" cascade;`);
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
    this.addSql(`drop table if exists "webhook_events" cascade;`);
    this.addSql(`drop table if exists "webhook_invoice_sequences" cascade;`);
    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);
  }

}
