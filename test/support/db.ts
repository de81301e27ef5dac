import { createOrm } from '../../db/orm';

export async function createTestOrm() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set; run tests with npm test');
  return createOrm(url, { pool: { min: 0, max: 10 } });
}
