/** Applies pending migrations to DATABASE_URL (`npm run migrate`). */
import { createOrm, migrate } from '../db/orm';
import { loadConfig } from '../lib/config';

async function main() {
  const orm = await createOrm(loadConfig().DATABASE_URL);
  await migrate(orm);
  const executed = await orm.getMigrator().getExecutedMigrations();
  console.log(`migrations applied: ${executed.length}`);
  await orm.close();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
