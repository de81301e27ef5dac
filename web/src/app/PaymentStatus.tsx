/** A payment's status as the lists show it: a badge when it was voided or refunded, with why or how much. */
import type { Payment } from '../api/client';
import { formatMoment } from '../lib/format';
import { formatAmount } from '../lib/money';
import { paymentStatusLabel } from '../lib/payments';
import { useSession } from './session';

export function PaymentStatus({ payment: p }: { payment: Pick<Payment, 'status' | 'voided' | 'refunded' | 'currency'> }) {
  const { tenant } = useSession();
  if (p.status === 'succeeded') return <span className="muted">{paymentStatusLabel(p.status)}</span>;
  const detail =
    p.status === 'voided' && p.voided
      ? p.voided.reason
      : p.status === 'partially_refunded'
        ? `${formatAmount(p.refunded, p.currency)} refunded`
        : null;
  const title = p.voided ? `Voided ${formatMoment(p.voided.at, tenant.timeZone)}${p.voided.by ? ` by ${p.voided.by}` : ''}: ${p.voided.reason}` : undefined;
  return (
    <span className="payment-status" title={title}>
      <span className={`badge badge-payment-${p.status}`}>{paymentStatusLabel(p.status)}</span>
      {detail && <span className="status-detail">{detail}</span>}
    </span>
  );
}
