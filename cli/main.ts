/**
 * Admin CLI (`npx payment-center …`). The last line of every command is one JSON object.
 *   tenants create --name N --plan P [--time-zone TZ] [--currency EUR]
 *   tenants set-plan --tenant ID --plan P
 *   keys create --tenant ID | keys list --tenant ID | keys revoke --key ID_OR_PREFIX
 *   sessions link --tenant ID   (a one-time sign-in URL for the web app)
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { lazyTemporalClient } from '../lib/temporal';
import { createOrm } from '../db/orm';
import { DomainError } from '../domain/errors';
import { scopeOf, type ServiceDeps } from '../services/context';
import { createSignInLink } from '../services/sessions';
import { createApiKey, createTenant, listApiKeys, revokeApiKey, setTenantPlan } from '../services/tenants';

const USAGE = `usage:
  payment-center tenants create --name NAME --plan free|starter|professional|enterprise [--time-zone Europe/Paris] [--currency EUR]
  payment-center tenants set-plan --tenant TENANT_ID --plan PLAN
  payment-center keys create --tenant TENANT_ID
  payment-center keys list --tenant TENANT_ID
  payment-center keys revoke --key KEY_ID_OR_PREFIX
  payment-center sessions link --tenant TENANT_ID    (one-time web app sign-in URL, valid 15 minutes)`;

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, plan: { type: 'string' }, 'time-zone': { type: 'string' }, currency: { type: 'string' }, tenant: { type: 'string' }, key: { type: 'string' } },
    strict: true,
  });
  const need = (name: keyof typeof values): string => {
    const v = values[name];
    if (typeof v !== 'string' || v === '') throw new DomainError('validation', 'missing_option', `--${name} is required\n${USAGE}`);
    return v;
  };
  /** One command is one unit of work: its own EntityManager fork, printed as one JSON line. */
  const run = async (fn: (deps: ServiceDeps) => Promise<unknown>) => {
    const config = loadConfig();
    const orm = await createOrm(config.DATABASE_URL);
    const temporal = lazyTemporalClient(config);
    try {
      console.log(JSON.stringify(await fn(scopeOf({ orm, temporal, config }))));
    } finally {
      await orm.close();
      await temporal.connection.close();
    }
  };
  switch (`${group} ${command}`) {
    case 'tenants create':
      await run((deps) => createTenant(deps, { name: need('name'), plan: need('plan'), timeZone: values['time-zone'], defaultCurrency: values.currency }));
      return 0;
    case 'tenants set-plan':
      await run((deps) => setTenantPlan(deps, need('tenant'), need('plan')));
      return 0;
    case 'keys create':
      await run(async (deps) => {
        const { keyId, apiKey, prefix } = await createApiKey(deps, need('tenant'));
        return { tenantId: values.tenant, keyId, prefix, apiKey };
      });
      return 0;
    case 'keys list':
      await run(async (deps) => (await listApiKeys(deps, need('tenant'))).map((k) => ({ id: k.id, prefix: k.prefix, createdAt: k.createdAt, revokedAt: k.revokedAt ?? null })));
      return 0;
    case 'keys revoke':
      await run((deps) => revokeApiKey(deps, need('key')));
      return 0;
    case 'sessions link':
      await run((deps) => createSignInLink(deps, need('tenant')));
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof DomainError ? `error: ${err.message}` : err);
    console.log(JSON.stringify({ error: { code: err.code ?? 'error', message: err.message } }));
    process.exit(1);
  },
);
