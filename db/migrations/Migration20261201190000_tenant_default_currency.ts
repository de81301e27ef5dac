import { Migration } from '@mikro-orm/migrations';

/** Tenants get a default currency: a payment without an invoice and without a currency takes it (hand-written). */
export class Migration20261201190000_tenant_default_currency extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "tenants" add column "default_currency" varchar(3) not null default 'USD';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tenants" drop column "default_currency";`);
  }

}
