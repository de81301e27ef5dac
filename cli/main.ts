/**
 * Admin CLI (`npx payment-center …`). The last line of every command is one JSON object.
 *   tenants create --name N --plan P [--time-zone TZ]
 *   tenants set-plan --tenant ID --plan P
 *   keys create --tenant ID | keys list --tenant ID | keys revoke --key ID_OR_PREFIX
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { createOrm } from '../db/orm';
import { DomainError } from '../domain/errors';
import { createApiKey, createTenant, listApiKeys, revokeApiKey, setTenantPlan } from '../services/tenants';

const USAGE = `usage:
  payment-center tenants create --name NAME --plan free|starter|professional|enterprise [--time-zone Europe/Paris]
  payment-center tenants set-plan --tenant TENANT_ID --plan PLAN
  payment-center keys create --tenant TENANT_ID
  payment-center keys list --tenant TENANT_ID
  payment-center keys revoke --key KEY_ID_OR_PREFIX`;

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, plan: { type: 'string' }, 'time-zone': { type: 'string' }, tenant: { type: 'string' }, key: { type: 'string' } },
    strict: true,
  });
  const need = (name: keyof typeof values): string => {
    const v = values[name];
    if (typeof v !== 'string' || v === '') throw new DomainError('validation', 'missing_option', `--${name} is required\n${USAGE}`);
    return v;
  };
  const run = async (fn: (orm: Awaited<ReturnType<typeof createOrm>>) => Promise<unknown>) => {
    const orm = await createOrm(loadConfig().DATABASE_URL);
    try {
      console.log(JSON.stringify(await fn(orm)));
    } finally {
      await orm.close();
    }
  };
  switch (`${group} ${command}`) {
    case 'tenants create':
      await run((orm) => createTenant(orm, { name: need('name'), plan: need('plan'), timeZone: values['time-zone'] }));
      return 0;
    case 'tenants set-plan':
      await run((orm) => setTenantPlan(orm, need('tenant'), need('plan')));
      return 0;
    case 'keys create':
      await run(async (orm) => {
        const { keyId, apiKey, prefix } = await createApiKey(orm, need('tenant'));
        return { tenantId: values.tenant, keyId, prefix, apiKey };
      });
      return 0;
    case 'keys list':
      await run((orm) => listApiKeys(orm, need('tenant')));
      return 0;
    case 'keys revoke':
      await run((orm) => revokeApiKey(orm, need('key')));
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
