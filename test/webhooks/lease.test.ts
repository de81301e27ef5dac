/**
 * A delivery is claimed for a lease, not sent inside a transaction: while a receiver takes its time
 * nothing waits on the send (no row lock, no open transaction), the team can redeliver it at once, and
 * an answer that comes after the delivery was claimed again records nothing.
 */
import { createInvoiceViaApi, createTestTenant, useTestStack } from '../support/stack';
import { useWebhookReceiver, waitFor } from '../support/webhooks';

const stack = useTestStack();
jest.setTimeout(120_000);
const receiver = useWebhookReceiver(stack);

test('a send in flight holds no lock: the team redelivers it at once, and its late answer records nothing', async () => {
  const { request } = await createTestTenant(stack);
  const ep = (await request('POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['invoice.created'] })).body;
  let answerFirst!: (status: number) => void;
  receiver.answers.push(() => new Promise<number>((resolve) => (answerFirst = resolve)));
  await createInvoiceViaApi(request, { total: 5000 });
  await waitFor(() => receiver.received.length === 1, 'the first attempt in flight');
  const [delivery] = (await request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`)).body.data;
  expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });

  // While the receiver holds the request, the delivery's row is not locked (the claim was committed before the send).
  await stack.orm.em.fork().transactional(async (tx) => {
    const rows = await tx.execute(`select id from webhook_deliveries where id = ? for update nowait`, [delivery.id]);
    expect(rows).toHaveLength(1);
  });
  // Redelivered now: the dispatcher sends it again (answered 200) while the first attempt still waits.
  expect((await request('POST', `/v1/webhook-endpoints/${ep.id}/deliveries/${delivery.id}/redeliver`)).status).toBe(202);
  await waitFor(() => receiver.received.length === 2, 'the redelivery');
  expect(receiver.received[1].body.id).toBe(receiver.received[0].body.id);
  const delivered = await waitFor(async () => {
    const d = (await request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`)).body.data[0];
    return d.status === 'delivered' && d;
  }, 'the redelivery recorded');
  expect(delivered).toMatchObject({ attempts: 1, lastStatusCode: 200 });

  // The first attempt's answer comes last, a 500: the delivery belongs to the newer claim, so it is not recorded.
  answerFirst(500);
  await stack.webhooks!.stop(); // returns once every send in flight has been recorded (or refused)
  const after = (await request('POST', `/v1/webhook-endpoints/${ep.id}/deliveries/${delivery.id}/redeliver`)).body;
  expect(after.attemptHistory.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode])).toEqual([[1, 200]]);
});
