import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { TenantPlan } from '../domain/tenant';

/** What the services need from the outside world; built once per process. */
export interface ServiceDeps {
  orm: MikroORM;
  temporal: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'PUBLIC_BASE_URL'> &
    Partial<Pick<Config, 'ENCRYPTION_KEY' | 'STRIPE_API_HOST' | 'STRIPE_API_PORT' | 'STRIPE_API_PROTOCOL'>>;
}

/** The authenticated caller. Every service call is scoped to it. */
export interface TenantContext {
  id: string;
  plan: TenantPlan;
  timeZone: string;
}
