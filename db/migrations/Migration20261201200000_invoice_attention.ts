import { Migration } from '@mikro-orm/migrations';

/** An invoice whose workflow could not store part of a change says why (hand-written). */
export class Migration20261201200000_invoice_attention extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoices" add column "attention_reason" text null, add column "attention_at" timestamptz null;`);
    this.addSql(`create index "invoices_attention_at_index" on "invoices" ("attention_at") where "attention_at" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "invoices_attention_at_index";`);
    this.addSql(`alter table "invoices" drop column if exists "attention_reason", drop column if exists "attention_at";`);
  }
}
