/**
 * The dialogs that correct money on an invoice: void a manual payment, write off what is due, issue
 * a credit note, apply the contact's credit (refunding a card payment: RefundDialog.tsx). Each asks for what the API needs,
 * shows its refusal in plain words (next to the amount when it is about the amount), and sends one
 * Idempotency-Key per dialog opening where the route takes one, so a retry after a lost answer is
 * applied once.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiFailure, call, idempotencyKey, type InvoiceDetail, type Payment } from '../api/client';
import { errorField, plainMessage } from '../lib/api-errors';
import { formatDay } from '../lib/format';
import { amountInputText, formatAmount, parseAmount } from '../lib/money';
import { Dialog, ErrorBanner, Field } from './components';

type InvoicePayment = InvoiceDetail['payments'][number];

/** Busy state, the refusal, and the dialog's Idempotency-Key: kept on a retry, new after a refusal (4xx). */
export function useAttempt(currency: string) {
  const [key, setKey] = useState(idempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const run = async (send: (key: string) => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await send(key);
    } catch (err) {
      const failure = err as ApiFailure;
      if (failure.status !== undefined && failure.status < 500) setKey(idempotencyKey());
      setError({ field: errorField(failure.error), message: plainMessage(failure.error, currency) });
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function Actions({ cancel, submit, busy, danger, onClose }: { cancel: string; submit: string; busy: boolean; danger?: boolean; onClose: () => void }) {
  return (
    <div className="dialog-actions">
      <button type="button" onClick={onClose}>
        {cancel}
      </button>
      <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy}>
        {submit}
      </button>
    </div>
  );
}

function ReasonField({ value, onChange, error, placeholder }: { value: string; onChange: (v: string) => void; error?: string | null; placeholder: string }) {
  return (
    <Field label="Reason" error={error} hint="Kept in the invoice history">
      {({ id, describedBy, invalid }) => (
        <textarea id={id} value={value} maxLength={500} rows={3} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} aria-describedby={describedBy} aria-invalid={invalid || undefined} />
      )}
    </Field>
  );
}

export function AmountField({ value, onChange, error, hint }: { value: string; onChange: (v: string) => void; error?: string | null; hint: ReactNode }) {
  return (
    <Field label="Amount" error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <input id={id} inputMode="decimal" autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} />
      )}
    </Field>
  );
}

/** Splits the API's refusal between the amount field and the banner. */
export const placed = (error: { field: string | null; message: string } | null, local: Record<string, string>) => ({
  amount: local.amount ?? (error?.field === 'amount' ? error.message : null),
  reason: local.reason ?? (error?.field === 'reason' ? error.message : null),
  banner: error && error.field !== 'amount' && error.field !== 'reason' ? error.message : null,
});

export function VoidPaymentDialog({ payment, onClose, onDone }: { payment: InvoicePayment; onClose: () => void; onDone: (p: Payment) => void }) {
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const attempt = useAttempt(payment.currency);
  const shown = placed(attempt.error, local);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return setLocal({ reason: 'Enter why the payment is taken back' });
    setLocal({});
    // Voiding is idempotent by itself (a second void answers the voided payment): the route takes no key.
    await attempt.run(async () => onDone(await call(api.POST('/v1/payments/{id}/void', { params: { path: { id: payment.id } }, body: { reason: reason.trim() } }))));
  };
  return (
    <Dialog title={`Void the payment of ${formatAmount(payment.amount, payment.currency)}?`} onClose={onClose}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <p>
          The payment of {formatDay(payment.date)} stays listed as voided, and its amount is due on the invoice again (a paid invoice reopens and its reminders resume). Use it for a payment typed
          against the wrong invoice or a bounced check.
        </p>
        <ReasonField value={reason} onChange={setReason} error={shown.reason} placeholder="Check bounced, entered on the wrong invoice…" />
        <ErrorBanner message={shown.banner} />
        <Actions cancel="Keep payment" submit="Void payment" busy={attempt.busy} danger onClose={onClose} />
      </form>
    </Dialog>
  );
}

export function WriteOffDialog({ inv, onClose, onDone }: { inv: InvoiceDetail; onClose: () => void; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const attempt = useAttempt(inv.currency);
  const shown = placed(attempt.error, local);
  const due = formatAmount(inv.due, inv.currency);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return setLocal({ reason: 'Enter why the rest is not collected' });
    setLocal({});
    await attempt.run(async (key) => {
      await call(api.POST('/v1/invoices/{id}/write-off', { params: { path: { id: inv.id }, header: { 'idempotency-key': key } }, body: { reason: reason.trim() } }));
      onDone();
    });
  };
  return (
    <Dialog title={`Write off ${due} on ${inv.number}?`} onClose={onClose}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <p>The invoice is closed with {due} written off as uncollectable (not counted as paid), and its reminders stop. A payment voided or refunded later reopens it.</p>
        <ReasonField value={reason} onChange={setReason} error={shown.reason} placeholder="Uncollectable small balance…" />
        <ErrorBanner message={shown.banner} />
        <Actions cancel="Cancel" submit={`Write off ${due}`} busy={attempt.busy} danger onClose={onClose} />
      </form>
    </Dialog>
  );
}

export function CreditNoteDialog({ inv, onClose, onDone }: { inv: InvoiceDetail; onClose: () => void; onDone: (amount: number) => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const attempt = useAttempt(inv.currency);
  const shown = placed(attempt.error, local);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseAmount(amount, inv.currency);
    const found: Record<string, string> = {};
    if (!parsed.ok) found.amount = parsed.message;
    if (!reason.trim()) found.reason = 'Enter what the credit note is for';
    setLocal(found);
    if (!parsed.ok || Object.keys(found).length > 0) return;
    await attempt.run(async (key) => {
      await call(api.POST('/v1/invoices/{id}/credit-notes', { params: { path: { id: inv.id }, header: { 'idempotency-key': key } }, body: { amount: parsed.minor, reason: reason.trim() } }));
      onDone(parsed.minor);
    });
  };
  return (
    <Dialog title={`Credit note on ${inv.number}`} onClose={onClose}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <p>A credit note lowers what the invoice asks for. Nothing is paid back: to return money, void or refund a payment.</p>
        <AmountField value={amount} onChange={setAmount} error={shown.amount} hint={`In ${inv.currency}; at most ${formatAmount(inv.due, inv.currency)} (what is due)`} />
        <ReasonField value={reason} onChange={setReason} error={shown.reason} placeholder="Disputed line: 2 hours not worked…" />
        <ErrorBanner message={shown.banner} />
        <Actions cancel="Cancel" submit="Issue credit note" busy={attempt.busy} onClose={onClose} />
      </form>
    </Dialog>
  );
}

export function ApplyCreditDialog({ inv, available, onClose, onDone }: { inv: InvoiceDetail; available: number; onClose: () => void; onDone: (p: Payment) => void }) {
  const [amount, setAmount] = useState(amountInputText(Math.min(available, inv.due), inv.currency));
  const [local, setLocal] = useState<Record<string, string>>({});
  const attempt = useAttempt(inv.currency);
  const shown = placed(attempt.error, local);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseAmount(amount, inv.currency);
    if (!parsed.ok) return setLocal({ amount: parsed.message });
    setLocal({});
    await attempt.run(async (key) =>
      onDone(await call(api.POST('/v1/invoices/{id}/apply-credit', { params: { path: { id: inv.id }, header: { 'idempotency-key': key } }, body: { amount: parsed.minor } }))),
    );
  };
  return (
    <Dialog title={`Apply ${inv.contact.name}’s credit`} onClose={onClose}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <p>
          {formatAmount(available, inv.currency)} of credit is available in {inv.currency} (overpayments and payments on no invoice); {formatAmount(inv.due, inv.currency)} is due on {inv.number}.
        </p>
        <AmountField value={amount} onChange={setAmount} error={shown.amount} hint={`In ${inv.currency}; it becomes a payment on this invoice`} />
        <ErrorBanner message={shown.banner} />
        <Actions cancel="Cancel" submit="Apply credit" busy={attempt.busy} onClose={onClose} />
      </form>
    </Dialog>
  );
}
