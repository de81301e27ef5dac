/** Writes a migration with the diff between the entities and the database (`npm run migration:create`). */
import { createOrm } from '../db/orm';
import { loadConfig } from '../lib/config';

async function main() {
  const orm = await createOrm(loadConfig().DATABASE_URL, {
    migrations: { path: 'db/migrations', pathTs: 'db/migrations', snapshot: false, emit: 'ts', fileName: (ts, name) => `Migration${ts}${name ? '_' + name : ''}` },
  });
  const result = await orm.getMigrator().createMigration('db/migrations', false, false, process.argv[2]);
  console.log(result.fileName || 'no changes');
  await orm.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
