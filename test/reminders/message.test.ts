/** The words of a reminder (domain/reminder-message.ts): every kind links to the invoice's pay page. */
import { renderReminder, type ReminderView } from '../../domain/reminder-message';

const view = (over: Partial<ReminderView> = {}): ReminderView => ({
  id: 'rem-1',
  tenantId: 'tenant-1',
  invoiceId: '0199a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b',
  key: 'dun-p1',
  kind: 'dunning',
  offset: 1,
  date: '2026-12-16',
  status: 'queued',
  invoiceNumber: 'INV-000042',
  invoiceStatus: 'overdue',
  currency: 'EUR',
  dueDate: '2026-12-15',
  contactName: 'Ada Lovelace',
  contactEmail: 'ada@example.test',
  ...over,
});
const PAY_URL = 'https://pay.example.test/i/3q2-7wXyZ_abcdefghijklmnopqrstuvwxyz012345';

test.each([
  ['dunning', view()],
  ['before an instalment', view({ kind: 'installment', key: 'inst-x-m3', offset: -3 })],
  ['on the day', view({ kind: 'installment', key: 'inst-x-0', offset: 0 })],
  ['after an instalment', view({ kind: 'installment', key: 'inst-x-p2', offset: 2 })],
])('a %s reminder links to the pay page, never to an API path', (_, r) => {
  const message = renderReminder(r, 12_345, PAY_URL, { from: 'billing@example.test' });
  expect(message.link).toBe(PAY_URL);
  expect(message.body).toContain(`You can view and pay the invoice here: ${PAY_URL}`);
  expect(message.body).not.toContain(`/invoices/${r.invoiceId}`);
  expect(message).toMatchObject({ reminderId: 'rem-1', tenantId: 'tenant-1', invoiceId: r.invoiceId, recipient: 'ada@example.test', from: 'billing@example.test' });
  expect(message.subject).toContain('INV-000042');
});
