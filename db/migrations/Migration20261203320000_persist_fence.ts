import { Migration } from '@mikro-orm/migrations';

/**
 * invoices.persist_fence: the workflow time (ms) of the workflow task whose local activity wrote the
 * row last (persist-local-v1). A task's local activity can still be running after the server gave up
 * on that task and handed the run to a newer attempt (a starved or cut-off worker); its write must
 * then change nothing, above all not the reconciling write that removes payments the workflow did not
 * accept. A newer attempt of a task, the next task and the next run all start later, so a write whose
 * fence is below the row's is stale. Not mapped by the entity: activities/invoice-writes.ts reads and
 * sets it (in the statement that moves the row). ADD COLUMN with a constant default does not rewrite the table.
 */
export class Migration20261203320000_persist_fence extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoices" add column "persist_fence" bigint not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "invoices" drop column "persist_fence";`);
  }
}
