import { createOrm } from '../../db/orm';

/** The test database (DATABASE_URL), or another one such as a test's private Postgres. */
export async function createTestOrm(url = process.env.DATABASE_URL) {
  if (!url) throw new Error('DATABASE_URL is not set; run tests with npm test');
  return createOrm(url, { pool: { min: 0, max: 10 } });
}
