import { Migration } from '@mikro-orm/migrations';

/**
 * The customer's pay page: one link per invoice, looked up by the SHA-256 of its token, and the
 * seller's company details. Invoices from before have no link row yet: the API adds one (rotation 0)
 * the first time it shows their customerUrl, since only it knows PAY_LINK_SECRET (hand-written).
 */
export class Migration20261202100000_pay_page extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "invoice_pay_links" ("invoice_id" uuid not null, "tenant_id" uuid not null, "rotation" int not null default 0, "token_hash" varchar(64) not null, "updated_at" timestamptz not null, constraint "invoice_pay_links_pkey" primary key ("invoice_id"));`);
    this.addSql(`alter table "invoice_pay_links" add constraint "invoice_pay_links_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "invoice_pay_links" add constraint "invoice_pay_links_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "invoice_pay_links" add constraint "invoice_pay_links_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "company_settings" ("tenant_id" uuid not null, "legal_name" varchar(200) null, "address" text null, "tax_id" varchar(64) null, "payment_instructions" text null, "updated_at" timestamptz not null, constraint "company_settings_pkey" primary key ("tenant_id"));`);
    this.addSql(`alter table "company_settings" add constraint "company_settings_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "company_settings" cascade;`);
    this.addSql(`drop table if exists "invoice_pay_links" cascade;`);
  }

}
