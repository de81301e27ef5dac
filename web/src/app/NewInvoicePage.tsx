/**
 * New invoice: contact (searchable), deal, currency, dates, line items with a live total and an
 * optional payment plan split into N instalments. The API's validation lands on the right field.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { addDays } from '../../../domain/dates';
import { api, ApiFailure, call, idempotencyKey, type Currency, type Deal } from '../api/client';
import { errorField, plainMessage } from '../lib/api-errors';
import { todayIn } from '../lib/format';
import { CURRENCIES, formatAmount, parseAmount } from '../lib/money';
import { checkPlan, draftPlan, MAX_INSTALMENTS, type DraftInstalment } from '../lib/plan';
import { ContactPicker, ErrorBanner, Field, type ContactRef } from './components';
import { navigate } from './router';
import { useSession } from './session';

type Line = { description: string; quantity: string; unitPrice: string };
const NEW_LINE: Line = { description: '', quantity: '1', unitPrice: '' };
const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY'];

export function NewInvoicePage() {
  const { tenant } = useSession();
  const today = todayIn(tenant.timeZone);
  const [contact, setContact] = useState<ContactRef | null>(null);
  const [deals, setDeals] = useState<Deal[]>([]);
  const [dealId, setDealId] = useState('');
  const [currency, setCurrency] = useState(tenant.defaultCurrency || 'USD');
  const [number, setNumber] = useState('');
  const [issueDate, setIssueDate] = useState(today);
  const [dueDate, setDueDate] = useState(addDays(today, 30));
  const [lines, setLines] = useState<Line[]>([{ ...NEW_LINE }]);
  const [planOn, setPlanOn] = useState(false);
  const [count, setCount] = useState('3');
  const [plan, setPlan] = useState<DraftInstalment[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(idempotencyKey);

  useEffect(() => {
    setDealId('');
    if (!contact) return setDeals([]);
    let live = true;
    call(api.GET('/v1/deals', { params: { query: { contactId: contact.id, limit: 100 } } })).then(
      (p) => live && setDeals(p.data),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [contact?.id]);

  const priced = lines.map((l) => {
    const unit = parseAmount(l.unitPrice, currency);
    const quantity = /^\d+$/.test(l.quantity.trim()) ? Number(l.quantity.trim()) : NaN;
    const amount = unit.ok && quantity > 0 ? unit.minor * quantity : null;
    return { unit, quantity, amount: amount !== null && Number.isSafeInteger(amount) ? amount : null };
  });
  const total = priced.reduce((s, p) => s + (p.amount ?? 0), 0);
  const planCheck = useMemo(() => checkPlan(plan, { total, currency, issueDate, dueDate }), [plan, total, currency, issueDate, dueDate]);
  const currencies = useMemo(() => [...new Set([tenant.defaultCurrency, ...COMMON_CURRENCIES, ...CURRENCIES].filter(Boolean))], [tenant.defaultCurrency]);

  const setLine = (i: number, patch: Partial<Line>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const setInstalment = (i: number, patch: Partial<DraftInstalment>) => setPlan((p) => p.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const split = () => {
    const n = Math.min(MAX_INSTALMENTS, Math.max(1, Number(count) || 1));
    setPlan(draftPlan(total, n, issueDate, dueDate, currency));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!contact) found.contactId = 'Choose the contact to bill';
    if (!issueDate) found.issueDate = 'Enter the invoice date';
    if (!dueDate) found.dueDate = 'Enter the due date';
    else if (issueDate && dueDate < issueDate) found.dueDate = 'The due date must be on or after the invoice date';
    lines.forEach((l, i) => {
      if (!l.description.trim()) found[`lineItems.${i}.description`] = 'Describe what is billed';
      if (!(priced[i].quantity > 0)) found[`lineItems.${i}.quantity`] = 'A whole number, 1 or more';
      if (!priced[i].unit.ok) found[`lineItems.${i}.unitAmount`] = (priced[i].unit as { message: string }).message;
    });
    if (planOn) {
      planCheck.rows.forEach((r, i) => {
        if (r.amount) found[`paymentPlan.${i}.amount`] = r.amount;
        if (r.date) found[`paymentPlan.${i}.date`] = r.date;
      });
      if (planCheck.summary) found.paymentPlan = planCheck.summary;
    }
    setErrors(found);
    setBanner(null);
    if (Object.keys(found).length > 0 || !contact) return;
    setBusy(true);
    try {
      const invoice = await call(
        api.POST('/v1/invoices', {
          params: { header: { 'idempotency-key': key } },
          body: {
            contactId: contact.id,
            dealId: dealId || null,
            currency: currency as Currency,
            issueDate,
            dueDate,
            ...(number.trim() && { number: number.trim() }),
            lineItems: lines.map((l, i) => ({ description: l.description.trim(), quantity: priced[i].quantity, unitAmount: (priced[i].unit as { minor: number }).minor })),
            ...(planOn && planCheck.installments && { paymentPlan: planCheck.installments }),
          },
        }),
      );
      navigate(`/app/invoices/${invoice.id}`);
    } catch (err) {
      const failure = err as ApiFailure;
      if (failure.status !== undefined && failure.status < 500) setKey(idempotencyKey());
      const field = errorField(failure.error);
      const message = plainMessage(failure.error, currency);
      if (field) setErrors({ [field]: message });
      else setBanner(message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-invoice-title">
      <h1 id="new-invoice-title">New invoice</h1>
      <form onSubmit={submit} noValidate className="invoice-form">
        <div className="grid">
          <Field label="Contact" error={errors.contactId}>
            {({ id, describedBy, invalid }) => <ContactPicker id={id} value={contact} onChange={setContact} describedBy={describedBy} invalid={invalid} />}
          </Field>
          <Field label="Deal (optional)" error={errors.dealId} hint={contact && deals.length === 0 ? 'This contact has no deals' : undefined}>
            {({ id, describedBy }) => (
              <select id={id} value={dealId} onChange={(e) => setDealId(e.target.value)} disabled={!contact} aria-describedby={describedBy}>
                <option value="">No deal</option>
                {deals.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Currency" error={errors.currency}>
            {({ id }) => (
              <select id={id} value={currency} onChange={(e) => setCurrency(e.target.value)}>
                {currencies.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Invoice number (optional)" error={errors.number} hint="Left empty, the next number is given">
            {({ id, describedBy, invalid }) => <input id={id} value={number} onChange={(e) => setNumber(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
          </Field>
          <Field label="Invoice date" error={errors.issueDate}>
            {({ id, describedBy, invalid }) => <input id={id} type="date" value={issueDate} onChange={(e) => setIssueDate(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
          </Field>
          <Field label="Due date" error={errors.dueDate}>
            {({ id, describedBy, invalid }) => <input id={id} type="date" value={dueDate} onChange={(e) => setDueDate(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
          </Field>
        </div>

        <fieldset className="lines">
          <legend>Line items</legend>
          {lines.map((l, i) => (
            <div className="line" key={i} role="group" aria-label={`Line ${i + 1}`}>
              <Field label={<RowLabel row={`Line ${i + 1}`} text="Description" />} error={errors[`lineItems.${i}.description`]}>
                {({ id, describedBy, invalid }) => <input id={id} value={l.description} maxLength={500} onChange={(e) => setLine(i, { description: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
              </Field>
              <Field label={<RowLabel row={`Line ${i + 1}`} text="Quantity" />} error={errors[`lineItems.${i}.quantity`]}>
                {({ id, describedBy, invalid }) => <input id={id} inputMode="numeric" value={l.quantity} onChange={(e) => setLine(i, { quantity: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
              </Field>
              <Field label={<RowLabel row={`Line ${i + 1}`} text={`Unit price (${currency})`} />} error={errors[`lineItems.${i}.unitAmount`] ?? errors[`lineItems.${i}.amount`]}>
                {({ id, describedBy, invalid }) => <input id={id} inputMode="decimal" value={l.unitPrice} onChange={(e) => setLine(i, { unitPrice: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
              </Field>
              <output className="line-amount" aria-label={`Line ${i + 1} amount`}>
                {priced[i].amount !== null ? formatAmount(priced[i].amount!, currency) : '—'}
              </output>
              <button type="button" className="link-button" onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))} disabled={lines.length === 1}>
                Remove line {i + 1}
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setLines((ls) => [...ls, { ...NEW_LINE }])} disabled={lines.length >= 200}>
            Add line item
          </button>
          <p className="total">
            Total <output aria-label="Invoice total">{formatAmount(total, currency)}</output>
          </p>
        </fieldset>

        <fieldset className="plan">
          <legend>Payment plan</legend>
          <label className="check">
            <input type="checkbox" checked={planOn} onChange={(e) => (setPlanOn(e.target.checked), e.target.checked && plan.length === 0 && total > 0 && split())} /> Split into instalments
          </label>
          {!planOn && <p className="hint">Without a plan the whole total is planned on the due date.</p>}
          {planOn && (
            <>
              {total === 0 && <p className="hint">Add the line items first: Split divides their total.</p>}
              <div className="split">
                <Field label="Number of instalments">
                  {({ id }) => <input id={id} type="number" min={1} max={MAX_INSTALMENTS} value={count} onChange={(e) => setCount(e.target.value)} />}
                </Field>
                <button type="button" onClick={split}>
                  Split
                </button>
              </div>
              {plan.map((r, i) => (
                <div className="line" key={i} role="group" aria-label={`Instalment ${i + 1}`}>
                  <Field label={<RowLabel row={`Instalment ${i + 1}`} text="Date" />} error={errors[`paymentPlan.${i}.date`] ?? planCheck.rows[i]?.date}>
                    {({ id, describedBy, invalid }) => <input id={id} type="date" value={r.date} onChange={(e) => setInstalment(i, { date: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
                  </Field>
                  <Field label={<RowLabel row={`Instalment ${i + 1}`} text={`Amount (${currency})`} />} error={errors[`paymentPlan.${i}.amount`]}>
                    {({ id, describedBy, invalid }) => <input id={id} inputMode="decimal" value={r.amount} onChange={(e) => setInstalment(i, { amount: e.target.value })} aria-describedby={describedBy} aria-invalid={invalid || undefined} />}
                  </Field>
                  <button type="button" className="link-button" onClick={() => setPlan((p) => p.filter((_, j) => j !== i))}>
                    Remove instalment {i + 1}
                  </button>
                </div>
              ))}
              <button type="button" onClick={() => setPlan((p) => [...p, { date: dueDate, amount: '' }])} disabled={plan.length >= MAX_INSTALMENTS}>
                Add instalment
              </button>
              <p className={planCheck.summary || errors.paymentPlan ? 'field-error' : 'hint'} role="status">
                {errors.paymentPlan ??
                  planCheck.summary ??
                  (planCheck.installments ? `Instalments add up to the total, ${formatAmount(planCheck.sum, currency)}.` : 'Give each instalment a date and an amount more than zero.')}
              </p>
            </>
          )}
        </fieldset>
        <ErrorBanner message={banner} />
        <div className="form-actions">
          <button type="button" onClick={() => navigate('/app')}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create invoice
          </button>
        </div>
      </form>
    </section>
  );
}

/** A row's field label: "Description" on screen, "Line 1 Description" for screen readers. */
function RowLabel({ row, text }: { row: string; text: string }) {
  return (
    <>
      <span className="sr-only">{row} </span>
      {text}
    </>
  );
}
