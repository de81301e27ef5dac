import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { TenantPlan } from '../domain/tenant';

export type ServiceConfig = Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'PUBLIC_BASE_URL' | 'PAY_LINK_SECRET'> &
  Partial<Pick<Config, 'ENCRYPTION_KEY' | 'STRIPE_API_HOST' | 'STRIPE_API_PORT' | 'STRIPE_API_PROTOCOL'>>;

/**
 * What every service function takes first: one unit of work's EntityManager (forked once per
 * request, sweep run or CLI command — never the global one), the Temporal client and the config.
 */
export interface ServiceDeps {
  em: EntityManager;
  temporal: Client;
  config: ServiceConfig;
}

/** The long-lived connections of a process; each unit of work gets its own scope from them. */
export interface ProcessDeps {
  orm: MikroORM;
  temporal: Client;
  config: ServiceConfig;
}

export const scopeOf = ({ orm, temporal, config }: ProcessDeps): ServiceDeps => ({ em: orm.em.fork(), temporal, config });

/** The authenticated caller. Every service call is scoped to it. */
export interface TenantContext {
  id: string;
  plan: TenantPlan;
  timeZone: string;
  /** ISO 4217 code for payments that name no currency and no invoice. */
  defaultCurrency: string;
  /** The account's name, when the caller's credential brought it (Temporal UI shows it on each invoice). */
  name?: string;
  /** Who is calling, as corrections record it (`api_key:<prefix>`, `session`); absent for internal callers. */
  actor?: string;
}
