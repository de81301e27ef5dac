/**
 * Make a payment: contact, amount, optionally one of that contact's open invoices, date and method.
 * The API's refusals appear next to the field they are about, in plain words.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiFailure, call, idempotencyKey, type Currency, type Invoice, type Payment, type PaymentMethod } from '../api/client';
import { errorField, plainMessage } from '../lib/api-errors';
import { METHOD_LABELS, todayIn } from '../lib/format';
import { amountInputText, formatAmount, parseAmount } from '../lib/money';
import { ContactPicker, Dialog, ErrorBanner, Field, type ContactRef } from './components';
import { useSession } from './session';

type OpenInvoice = Pick<Invoice, 'id' | 'number' | 'currency' | 'due'>;
/** `credit` is the contact's credit applied (Apply credit), never entered here. */
type ManualMethod = Exclude<PaymentMethod, 'credit'>;

export function MakePaymentDialog({
  contact: initialContact,
  invoice: initialInvoice,
  onClose,
  onRecorded,
}: {
  contact?: ContactRef;
  invoice?: OpenInvoice;
  onClose: () => void;
  onRecorded: (p: Payment) => void;
}) {
  const { tenant } = useSession();
  const [contact, setContact] = useState<ContactRef | null>(initialContact ?? null);
  const [invoiceId, setInvoiceId] = useState(initialInvoice?.id ?? '');
  const [amount, setAmount] = useState(initialInvoice ? amountInputText(initialInvoice.due, initialInvoice.currency) : '');
  const [date, setDate] = useState(todayIn(tenant.timeZone));
  const [method, setMethod] = useState<ManualMethod>('bank_transfer');
  const [reference, setReference] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per payment being made: a retry after a lost answer is applied once; a refused one gets a new key.
  const [key, setKey] = useState(idempotencyKey);

  const [openInvoices, setOpenInvoices] = useState<OpenInvoice[]>(initialInvoice ? [initialInvoice] : []);
  useEffect(() => {
    if (!contact) return setOpenInvoices([]);
    let live = true;
    const of = (status: 'open' | 'overdue') => call(api.GET('/v1/invoices', { params: { query: { contactId: contact.id, status, limit: 100 } } })).then((p) => p.data);
    Promise.all([of('overdue'), of('open')]).then(
      ([overdue, open]) => {
        if (!live) return;
        const list = [...overdue, ...open];
        setOpenInvoices(list);
        setInvoiceId((id) => (list.some((i) => i.id === id) ? id : ''));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [contact?.id]);

  const invoice = openInvoices.find((i) => i.id === invoiceId);
  const currency = invoice?.currency ?? tenant.defaultCurrency;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!contact) found.contactId = 'Choose the contact who paid';
    const parsed = parseAmount(amount, currency);
    if (!parsed.ok) found.amount = parsed.message;
    if (!date) found.date = 'Enter the payment date';
    setErrors(found);
    setBanner(null);
    if (Object.keys(found).length > 0 || !parsed.ok || !contact) return;
    setBusy(true);
    try {
      const payment = await call(
        api.POST('/v1/payments', {
          params: { header: { 'idempotency-key': key } },
          body: { contactId: contact.id, amount: parsed.minor, currency: currency as Currency, invoiceId: invoiceId || null, date, method, reference: reference.trim() || null },
        }),
      );
      onRecorded(payment);
    } catch (err) {
      const failure = err as ApiFailure;
      if (failure.status !== undefined && failure.status < 500) setKey(idempotencyKey());
      const field = errorField(failure.error);
      const message = plainMessage(failure.error, currency);
      if (field && ['amount', 'contactId', 'date', 'method', 'reference', 'invoiceId'].includes(field)) setErrors({ [field]: message });
      else setBanner(message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Make a payment" onClose={onClose}>
      <form onSubmit={submit} noValidate className="dialog-form">
        <Field label="Contact" error={errors.contactId}>
          {({ id, describedBy, invalid }) => <ContactPicker id={id} value={contact} onChange={setContact} describedBy={describedBy} invalid={invalid} />}
        </Field>
        <Field label="Amount" error={errors.amount} hint={`In ${currency}${invoice ? `; ${formatAmount(invoice.due, invoice.currency)} is due on ${invoice.number}` : ''}`}>
          {({ id, describedBy, invalid }) => (
            <input id={id} inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} />
          )}
        </Field>
        <Field label="Invoice (optional)" error={errors.invoiceId} hint={contact ? (openInvoices.length ? 'Only this contact’s open invoices' : 'This contact has no open invoices') : 'Choose a contact first'}>
          {({ id, describedBy }) => (
            <select id={id} value={invoiceId} onChange={(e) => setInvoiceId(e.target.value)} aria-describedby={describedBy} disabled={!contact}>
              <option value="">No invoice (payment on the contact)</option>
              {openInvoices.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.number} · {formatAmount(i.due, i.currency)} due
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Date" error={errors.date}>
          {({ id, describedBy, invalid }) => <input id={id} type="date" value={date} onChange={(e) => setDate(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
        </Field>
        <Field label="Method" error={errors.method}>
          {({ id }) => (
            <select id={id} value={method} onChange={(e) => setMethod(e.target.value as ManualMethod)}>
              {Object.entries(METHOD_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Reference (optional)" error={errors.reference}>
          {({ id, describedBy }) => <input id={id} value={reference} maxLength={200} onChange={(e) => setReference(e.target.value)} aria-describedby={describedBy} placeholder="Transfer text, check number" />}
        </Field>
        <ErrorBanner message={banner} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Record payment
          </button>
        </div>
      </form>
    </Dialog>
  );
}
