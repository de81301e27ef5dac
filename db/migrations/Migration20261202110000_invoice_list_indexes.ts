import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the invoice list's orders and its summary at a million invoices per tenant
 * (db/entities/invoice.ts says which query each serves). (tenant_id, status, id desc) replaces
 * (tenant_id, status): the same prefix, and it also orders the status sort (hand-written).
 */
export class Migration20261202110000_invoice_list_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "invoices_tenant_id_id_index" on "invoices" ("tenant_id", "id");`);
    this.addSql(`create index "invoices_tenant_id_due_date_id_index" on "invoices" ("tenant_id", "due_date", "id");`);
    this.addSql(`create index "invoices_tenant_id_total_id_index" on "invoices" ("tenant_id", "total", "id");`);
    this.addSql(`create index "invoices_tenant_id_status_id_index" on "invoices" ("tenant_id", "status", "id" desc);`);
    this.addSql(`drop index if exists "invoices_tenant_id_status_index";`);
    this.addSql(`create index "invoices_unpaid_summary_index" on "invoices" ("tenant_id", "currency", "due_date") include ("status", "due") where "status" in ('open', 'overdue');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "invoices_unpaid_summary_index";`);
    this.addSql(`create index "invoices_tenant_id_status_index" on "invoices" ("tenant_id", "status");`);
    this.addSql(`drop index if exists "invoices_tenant_id_status_id_index";`);
    this.addSql(`drop index if exists "invoices_tenant_id_total_id_index";`);
    this.addSql(`drop index if exists "invoices_tenant_id_due_date_id_index";`);
    this.addSql(`drop index if exists "invoices_tenant_id_id_index";`);
  }

}
