import { Migration } from '@mikro-orm/migrations';

/** Company settings get the invoice number format and the reminder e-mail templates (hand-written). */
export class Migration20261203200000_document_settings extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "company_settings" add column "invoice_number_prefix" varchar(32) null, add column "invoice_number_padding" smallint null, add column "reminder_subject_template" text null, add column "reminder_body_template" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "company_settings" drop column "invoice_number_prefix", drop column "invoice_number_padding", drop column "reminder_subject_template", drop column "reminder_body_template";`);
  }

}
