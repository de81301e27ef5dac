/** Settings: reminder policy, Stripe integration status, payment instructions for the pay page, API keys. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiFailure, call } from '../api/client';
import { errorField, plainMessage } from '../lib/api-errors';
import { formatMoment } from '../lib/format';
import { ErrorBanner, Field, useLoad } from './components';
import { useSession } from './session';

export function SettingsPage() {
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <ReminderPolicy />
      <StripeStatus />
      <PaymentInstructions />
      <ApiKeys />
    </section>
  );
}

const offsetsText = (offsets: number[]) => offsets.join(', ');
const parseOffsets = (text: string) =>
  text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => (/^-?\d+$/.test(t) ? Number(t) : NaN));
const timeText = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

function ReminderPolicy() {
  const policy = useLoad(() => call(api.GET('/v1/settings/reminders')), []);
  const [form, setForm] = useState<{ instOn: boolean; inst: string; dunOn: boolean; dun: string; time: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    const p = policy.data;
    if (p) setForm({ instOn: p.installments.enabled, inst: offsetsText(p.installments.offsets), dunOn: p.dunning.enabled, dun: offsetsText(p.dunning.offsets), time: timeText(p.sendAtMinutes) });
  }, [policy.data]);
  if (!form) return <ErrorBanner message={policy.error ? plainMessage((policy.error as ApiFailure).error) : null} />;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const inst = parseOffsets(form.inst);
    const dun = parseOffsets(form.dun);
    const found: Record<string, string> = {};
    if (inst.some(Number.isNaN)) found.installments = 'Whole numbers of days, separated by commas (-3 = three days before)';
    if (dun.some(Number.isNaN)) found.dunning = 'Whole numbers of days after the due date, separated by commas';
    const [h, m] = form.time.split(':').map(Number);
    setErrors(found);
    setStatus(null);
    if (Object.keys(found).length) return;
    try {
      await call(api.PUT('/v1/settings/reminders', { body: { installments: { enabled: form.instOn, offsets: inst }, dunning: { enabled: form.dunOn, offsets: dun }, sendAtMinutes: h * 60 + m } }));
      setStatus('Reminder policy saved.');
      policy.reload();
    } catch (err) {
      const failure = err as ApiFailure;
      const field = errorField(failure.error)?.split('.')[0];
      setErrors({ [field === 'dunning' || field === 'installments' ? field : 'form']: plainMessage(failure.error) });
    }
  };
  return (
    <form onSubmit={save} className="card" aria-labelledby="reminders-title" noValidate>
      <h2 id="reminders-title">Reminder policy</h2>
      <p className="hint">Reminders go to the contact by email at the send time, in the account's time zone.</p>
      <label className="check">
        <input type="checkbox" checked={form.instOn} onChange={(e) => setForm({ ...form, instOn: e.target.checked })} /> Remind before and on planned payment dates
      </label>
      <Field label="Days around each planned payment" error={errors.installments} hint="Negative is before: -3, 0 = three days before and on the day">
        {({ id, describedBy }) => <input id={id} value={form.inst} onChange={(e) => setForm({ ...form, inst: e.target.value })} aria-describedby={describedBy} />}
      </Field>
      <label className="check">
        <input type="checkbox" checked={form.dunOn} onChange={(e) => setForm({ ...form, dunOn: e.target.checked })} /> Remind while overdue
      </label>
      <Field label="Days after the due date" error={errors.dunning}>
        {({ id, describedBy }) => <input id={id} value={form.dun} onChange={(e) => setForm({ ...form, dun: e.target.value })} aria-describedby={describedBy} />}
      </Field>
      <Field label="Send time">{({ id }) => <input id={id} type="time" value={form.time} onChange={(e) => setForm({ ...form, time: e.target.value || '09:00' })} />}</Field>
      <ErrorBanner message={errors.form} />
      <p role="status">{status}</p>
      <button type="submit" className="primary">
        Save reminder policy
      </button>
    </form>
  );
}

function StripeStatus() {
  const { tenant } = useSession();
  const stripe = useLoad(() => call(api.GET('/v1/integrations/stripe')), []);
  const s = stripe.data;
  return (
    <section className="card" aria-labelledby="stripe-title">
      <h2 id="stripe-title">Stripe integration</h2>
      <ErrorBanner message={stripe.error ? plainMessage((stripe.error as ApiFailure).error) : null} />
      {s && (
        <dl className="facts">
          <div>
            <dt>Status</dt>
            <dd>{s.configured ? 'Connected' : 'Not connected'}</dd>
          </div>
          {s.configured && (
            <div>
              <dt>Secret key</dt>
              <dd>ends in {s.secretKeyLast4}</dd>
            </div>
          )}
          {s.configured && s.accountId && (
            <div>
              <dt>Account</dt>
              <dd>{s.accountId}</dd>
            </div>
          )}
          <div>
            <dt>Webhook endpoint</dt>
            <dd>
              <code>{s.webhookUrl}</code>
            </dd>
          </div>
          {s.updatedAt && (
            <div>
              <dt>Updated</dt>
              <dd>{formatMoment(s.updatedAt, tenant.timeZone)}</dd>
            </div>
          )}
        </dl>
      )}
      {s && !s.configured && <p className="hint">Card payments on the pay page need a Stripe key: save it with PUT /v1/integrations/stripe (secret key and webhook signing secret).</p>}
    </section>
  );
}

function PaymentInstructions() {
  const company = useLoad(() => call(api.GET('/v1/settings/company')), []);
  const [text, setText] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (company.data) setText(company.data.paymentInstructions ?? '');
  }, [company.data]);
  if (company.error && (company.error as ApiFailure).status === 404) return null;
  if (text === null) return null;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      // PUT replaces every writable field: send them all back as read, with the edited one changed.
      const c = company.data!;
      const body = {
        legalName: c.legalName,
        address: c.address,
        taxId: c.taxId,
        defaultCurrency: c.defaultCurrency,
        invoiceNumberPrefix: c.invoiceNumberPrefix,
        invoiceNumberPadding: c.invoiceNumberPadding,
        reminderSubjectTemplate: c.reminderSubjectTemplate,
        reminderBodyTemplate: c.reminderBodyTemplate,
        paymentInstructions: text.trim() || null,
      };
      await call(api.PUT('/v1/settings/company', { body }));
      setStatus('Payment instructions saved.');
    } catch (err) {
      setError(plainMessage((err as ApiFailure).error));
    }
  };
  return (
    <form className="card" aria-labelledby="instructions-title" onSubmit={save}>
      <h2 id="instructions-title">Payment instructions</h2>
      <Field label="How customers pay without a card" hint="Shown on the customer's pay page, e.g. your bank details.">
        {({ id, describedBy }) => <textarea id={id} rows={4} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} aria-describedby={describedBy} />}
      </Field>
      <ErrorBanner message={error} />
      <p role="status">{status}</p>
      <button type="submit" className="primary">
        Save payment instructions
      </button>
    </form>
  );
}

function ApiKeys() {
  const { tenant } = useSession();
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p>The API has no endpoint for API keys yet, so they are not listed here. An administrator manages them with the admin CLI:</p>
      <pre>
        <code>{`npx payment-center keys list --tenant ${tenant.id}\nnpx payment-center keys create --tenant ${tenant.id}\nnpx payment-center keys revoke --key <id>`}</code>
      </pre>
    </section>
  );
}
