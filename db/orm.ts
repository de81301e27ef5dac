import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { allEntities } from './entities';
import { migrationsList } from './migrations';

/** A request waits at most this long for a pooled connection: a database that is down fails fast into a 503. */
const ACQUIRE_TIMEOUT_MS = 5_000;

export function ormOptions(databaseUrl: string, extra: Partial<Options> = {}): Options {
  const { pool, ...rest } = extra;
  return {
    clientUrl: databaseUrl,
    entities: allEntities,
    extensions: [Migrator],
    // Schemas are plain EntitySchema objects; no reflection needed.
    discovery: { warnWhenNoEntities: true },
    forceUtcTimezone: true,
    pool: { min: 0, max: 20, acquireTimeoutMillis: ACQUIRE_TIMEOUT_MS, ...pool },
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false },
    debug: false,
    ...rest,
  };
}

export async function createOrm(databaseUrl: string, extra: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, extra));
}

export async function migrate(orm: MikroORM): Promise<void> {
  await orm.getMigrator().up();
}
