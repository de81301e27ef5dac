/** Refund a card payment through Stripe: how much (what is left to refund by default) and Stripe's reason. */
import { useState, type FormEvent } from 'react';
import { api, call, type InvoiceDetail, type Payment } from '../api/client';
import { amountInputText, formatAmount, parseAmount } from '../lib/money';
import { refundable } from '../lib/payments';
import { Dialog, ErrorBanner, Field } from './components';
import { Actions, AmountField, placed, useAttempt } from './CorrectionDialogs';

type InvoicePayment = InvoiceDetail['payments'][number];

const REFUND_REASONS = [
  ['', 'No reason given'],
  ['requested_by_customer', 'Requested by the customer'],
  ['duplicate', 'Duplicate payment'],
  ['fraudulent', 'Fraudulent'],
] as const;
type RefundReason = Exclude<(typeof REFUND_REASONS)[number][0], ''>;

export function RefundDialog({ payment, onClose, onDone }: { payment: InvoicePayment; onClose: () => void; onDone: (p: Payment) => void }) {
  const left = refundable(payment);
  const [amount, setAmount] = useState(amountInputText(left, payment.currency));
  const [reason, setReason] = useState<RefundReason | ''>('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const attempt = useAttempt(payment.currency);
  const shown = placed(attempt.error, local);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseAmount(amount, payment.currency);
    if (!parsed.ok) return setLocal({ amount: parsed.message });
    setLocal({});
    await attempt.run(async (key) =>
      onDone(
        await call(
          api.POST('/v1/payments/{id}/refunds', {
            params: { path: { id: payment.id }, header: { 'idempotency-key': key } },
            body: { amount: parsed.minor, ...(reason ? { reason } : {}) },
          }),
        ),
      ),
    );
  };
  return (
    <Dialog title={`Refund the card payment of ${formatAmount(payment.amount, payment.currency)}?`} onClose={onClose}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <p>The money goes back to the card through Stripe, and the invoice’s balance goes back up at once (a paid invoice reopens).</p>
        <AmountField value={amount} onChange={setAmount} error={shown.amount} hint={`In ${payment.currency}; up to ${formatAmount(left, payment.currency)} can be refunded`} />
        <Field label="Reason (optional)">
          {({ id }) => (
            <select id={id} value={reason} onChange={(e) => setReason(e.target.value as RefundReason | '')}>
              {REFUND_REASONS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ErrorBanner message={shown.banner} />
        <Actions cancel="Cancel" submit="Refund" busy={attempt.busy} danger onClose={onClose} />
      </form>
    </Dialog>
  );
}
