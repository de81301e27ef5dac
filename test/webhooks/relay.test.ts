/**
 * The relay's pace: a backlog larger than one relay batch drains pass after pass, without waiting
 * for WEBHOOK_POLL_MS; once a pass finds less than a batch the lane sleeps (a tenant without
 * endpoints does not keep the dispatcher looping). No worker here: this file's dispatcher is its own.
 */
import { startWebhookDispatcher } from '../../worker/webhook-dispatcher';
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';
import { waitFor } from '../support/webhooks';

const stack = useTestStack({ worker: false });

const unrelayed = async (tenantId: string) =>
  (await stack.orm.em.getConnection().execute<{ n: number }[]>(`select count(*)::int n from webhook_events where tenant_id = ? and relayed_at is null`, [tenantId]))[0].n;

test('a backlog of 450 outbox rows (over two full batches) is relayed in consecutive passes, not one batch per poll', async () => {
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

  // A poll interval no test waits out: a lane that slept after a full batch would leave rows behind.
  const dispatcher = startWebhookDispatcher({ orm: stack.orm, config: { WEBHOOK_POLL_MS: 600_000 }, lanes: 1 });
  try {
    await waitFor(async () => (await unrelayed(tenantId)) === 0, 'all rows relayed');
  } finally {
    await dispatcher.stop();
  }
  const [{ n }] = await conn.execute<{ n: number }[]>(`select count(*)::int n from webhook_events where tenant_id = ? and type = 'payment.created'`, [tenantId]);
  expect(n).toBe(450);
});
