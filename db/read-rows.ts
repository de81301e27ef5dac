/**
 * Rows for the lists: the query `em.find` would run (same conditions, order, limit and joined
 * relations), mapped to plain objects instead of managed entities. Building a MikroORM entity costs
 * about 60 µs of CPU (it defines its change-tracking accessors on each instance): 6 of the 13 ms a
 * 50-invoice page took, for rows that are only serialized. What this returns is not managed: never
 * flush, assign or `wrap` it; a relation that is not joined is `{ id }` only.
 */
import type { EntityKey, EntityMetadata, EntityName, FilterQuery, Platform, QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface FindRowsOptions<T> {
  orderBy?: QueryOrderMap<T> | QueryOrderMap<T>[];
  limit?: number;
  /** Relations to join and map, dotted for nested ones (`invoice.contact`). */
  populate?: string[];
  /**
   * A keyset cursor: rows past `(value, id)` in `(field, id)` order, the field in `order`, the id in
   * `idOrder` (`order` unless given). As one row comparison it is a single index range, where the OR
   * of services/pagination.ts afterKey walks every row that ties with the cursor's value first (a
   * deep page of a sort on a column with few distinct values read thousands of rows). Mixed
   * directions have no row comparison: the rows tying with the value, then the rows past it, are
   * two index ranges read one after the other (the second only when the first runs out).
   */
  after?: { field: string; value: unknown; id: string; order: 'asc' | 'desc'; idOrder?: 'asc' | 'desc' };
}

export async function findRows<T extends object>(em: EntityManager, entity: EntityName<T>, where: FilterQuery<T>, options: FindRowsOptions<T>): Promise<T[]> {
  const { after, limit } = options;
  if (!after) return selectRows(em, entity, where, options);
  const past = (order: 'asc' | 'desc') => (order === 'asc' ? '>' : '<');
  const idOrder = after.idOrder ?? after.order;
  if (idOrder === after.order) return selectRows(em, entity, where, options, (col, id) => [`(${col}, ${id}) ${past(after.order)} (?, ?)`, [after.value, after.id]]);
  const tying = await selectRows(em, entity, where, options, (col, id) => [`${col} = ? and ${id} ${past(idOrder)} ?`, [after.value, after.id]]);
  if (limit !== undefined && tying.length >= limit) return tying;
  const beyond = await selectRows(em, entity, where, { ...options, limit: limit === undefined ? undefined : limit - tying.length }, (col) => [`${col} ${past(after.order)} ?`, [after.value]]);
  return [...tying, ...beyond];
}

/** One select; `keyset` writes the cursor's condition from the column names of `after.field` and the id. */
async function selectRows<T extends object>(em: EntityManager, entity: EntityName<T>, where: FilterQuery<T>, options: FindRowsOptions<T>, keyset?: (column: string, id: string) => [string, unknown[]]): Promise<T[]> {
  const qb = em.createQueryBuilder(entity, 'r').select('*');
  const meta = em.getMetadata().get<T>(qb.mainAlias.entityName);
  const aliases = new Map<string, string>([['', 'r']]);
  for (const path of options.populate ?? []) {
    const dot = path.lastIndexOf('.');
    const parent = aliases.get(path.slice(0, Math.max(dot, 0)));
    if (!parent) throw new Error(`findRows: populate ${path} before its parent`);
    const alias = `j${aliases.size}`;
    qb.leftJoinAndSelect(`${parent}.${path.slice(dot + 1)}`, alias);
    aliases.set(path, alias);
  }
  qb.where(where);
  if (keyset) {
    const column = (name: string) => `r.${meta.properties[name as EntityKey<T>].fieldNames[0]}`;
    qb.andWhere(...keyset(column(options.after!.field), column('id')));
  }
  if (options.orderBy) qb.orderBy(options.orderBy);
  if (options.limit !== undefined) qb.limit(options.limit);
  const rows = await qb.execute<Record<string, unknown>[]>('all');
  const platform = em.getPlatform();
  return rows.map((row) => toPlain(row, meta, platform) as T);
}

/** The one row a unique condition finds, or null. */
export async function findRow<T extends object>(em: EntityManager, entity: EntityName<T>, where: FilterQuery<T>, populate: string[] = []): Promise<T | null> {
  const [row] = await findRows(em, entity, where, { limit: 1, populate });
  return row ?? null;
}

/** Custom types to JS values (money as numbers), relations as nested rows or `{ id }`. */
function toPlain(row: Record<string, unknown>, meta: EntityMetadata, platform: Platform): Record<string, unknown> {
  for (const prop of meta.props) {
    const value = row[prop.name];
    if (value === undefined || value === null) continue;
    if (prop.kind === 'm:1' || prop.kind === '1:1') {
      row[prop.name] = typeof value === 'object' ? toPlain(value as Record<string, unknown>, prop.targetMeta!, platform) : { id: value };
    } else if (prop.customType) {
      row[prop.name] = prop.customType.convertToJSValue(value, platform);
    }
  }
  return row;
}
