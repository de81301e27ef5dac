/**
 * The relay's pace: a backlog larger than one relay batch drains pass after pass, without waiting
 * for WEBHOOK_POLL_MS; once a pass finds less than a batch the lane sleeps (a tenant without
 * endpoints does not keep the dispatcher looping). No worker here: this file's dispatcher is its own.
 */
import { RELAY_BATCH, startWebhookDispatcher } from '../../worker/webhook-dispatcher';
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';
import { waitFor } from '../support/webhooks';

const stack = useTestStack({ worker: false });

const unrelayed = async (tenantId: string) =>
  (await stack.orm.em.getConnection().execute<{ n: number }[]>(`select count(*)::int n from webhook_events where tenant_id = ? and relayed_at is null`, [tenantId]))[0].n;

test('a backlog of 450 outbox rows (over two full batches) is relayed in consecutive passes, then the lane sleeps instead of passing again', async () => {
  const { tenantId, request } = await createTestTenant(stack);
  const { invoice } = await createInvoiceViaApi(request, { total: 5000 });
  const conn = stack.orm.em.getConnection();
  const before = await unrelayed(tenantId);
  // 450 rows, dated first, so the passes take them before any other file's leftovers.
  await conn.execute(
    `insert into webhook_events (id, tenant_id, invoice_id, history_type, type, sequence, data, invoice, occurred_at)
     select gen_random_uuid(), ?, ?, 'payment_applied', null, 1 + g, '{}'::jsonb, '{}'::jsonb, now() from generate_series(1, 450) g`,
    [tenantId, invoice.id],
  );
  await conn.execute(`update webhook_events set created_at = timestamptz '2000-01-01' + sequence * interval '1 millisecond' where tenant_id = ?`, [tenantId]);
  expect(await unrelayed(tenantId)).toBe(before + 450);

  // Every unrelayed row of the database goes through the relay (other files' leftovers too).
  const [{ total }] = await conn.execute<{ total: number }[]>(`select count(*)::int total from webhook_events where relayed_at is null`);
  // Each pass takes two forks of the EntityManager: one relays in a transaction, one claims what is
  // due in one statement (real Postgres underneath: the forks are only counted, started and finished).
  const passes = Math.floor(total / RELAY_BATCH) + 1;
  let started = 0;
  let finished = 0;
  const em = stack.orm.em;
  const counted = (fork: typeof em) =>
    new Proxy(fork, {
      get: (target, key) =>
        key === 'transactional'
          ? (...args: Parameters<typeof fork.transactional>) => target.transactional(...args).finally(() => void finished++)
          : key === 'execute'
            ? (...args: Parameters<typeof fork.execute>) => target.execute(...args).finally(() => void finished++)
            : Reflect.get(target, key),
    });
  const countingOrm = new Proxy(stack.orm, {
    get: (orm, key) => (key === 'em' ? new Proxy(em, { get: (target, k) => (k === 'fork' ? (...args: Parameters<typeof em.fork>) => (started++, counted(target.fork(...args))) : Reflect.get(target, k)) }) : Reflect.get(orm, key)),
  });
  // A poll interval no test waits out: a lane that slept after a full batch would leave rows behind.
  // batch 0: this lane sends nothing (other files' pending deliveries must not keep it busy).
  const dispatcher = startWebhookDispatcher({ orm: countingOrm, config: { WEBHOOK_POLL_MS: 600_000 }, lanes: 1, batch: 0 });
  try {
    await waitFor(async () => (await unrelayed(tenantId)) === 0, 'all rows relayed');
    await waitFor(() => finished >= 2 * passes, 'the last pass done');
    // A lane that went on instead of sleeping starts its next pass within the microtasks of the last one.
    await new Promise((resolve) => setImmediate(resolve));
    // Full batches, then the partial one that drained the outbox, then asleep: no pass after a partial batch.
    expect(started).toBe(2 * passes);
  } finally {
    await dispatcher.stop();
  }
  const [{ n }] = await conn.execute<{ n: number }[]>(`select count(*)::int n from webhook_events where tenant_id = ? and type = 'payment.created'`, [tenantId]);
  expect(n).toBe(450);
});
