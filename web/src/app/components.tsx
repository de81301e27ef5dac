/** Small pieces every screen uses: status badge, labelled fields, the modal dialog, the contact picker. */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { api, call, type Contact } from '../api/client';
import { STATUS_LABELS } from '../lib/format';
import { formatAmount } from '../lib/money';

/** The window's title for a screen, "<what> · Payment Center" (null: leave it as it is, another part of the page names it). */
export function useDocumentTitle(what: string | null) {
  useEffect(() => {
    if (what !== null) document.title = what ? `${what} · Payment Center` : 'Payment Center';
  }, [what]);
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

export function Money({ amount, currency }: { amount: number; currency: string }) {
  return <span className="money">{formatAmount(amount, currency)}</span>;
}

/** A visible label above its control, the error below it (tied with aria-describedby). */
export function Field({ label, error, hint, children }: { label: ReactNode; error?: string | null; hint?: ReactNode; children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ReactNode }) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: !!error })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function ErrorBanner({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="error-banner" role="alert">
      {message}
    </p>
  );
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog (the native <dialog>: the page behind is inert). Tab and Shift+Tab cycle inside
 * it, Escape closes it, and focus returns to what opened it.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    // Focus the first field (not the Close button), so typing starts at once.
    const first = dialog.querySelector<HTMLElement>('[autofocus]') ?? dialog.querySelector<HTMLElement>('input, select, textarea') ?? dialog.querySelector<HTMLElement>('button');
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);
  const trap = (e: React.KeyboardEvent) => {
    if (e.key !== 'Tab') return;
    const items = [...ref.current!.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onKeyDown={trap}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

export type ContactRef = { id: string; name: string };

/**
 * A searchable contact field (ARIA combobox): typing searches the account's contacts by name,
 * email or company; arrows move, Enter picks, Escape closes the list.
 */
export function ContactPicker({
  id,
  value,
  onChange,
  describedBy,
  invalid,
  placeholder,
}: {
  id: string;
  value: ContactRef | null;
  onChange: (c: ContactRef | null) => void;
  describedBy?: string;
  invalid?: boolean;
  placeholder?: string;
}) {
  const [text, setText] = useState(value?.name ?? '');
  const [options, setOptions] = useState<Contact[] | null>(null);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const listId = `${id}-list`;
  const seq = useRef(0);
  const closing = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => setText(value?.name ?? ''), [value?.id, value?.name]);
  useEffect(() => {
    if (!open) return;
    const mine = ++seq.current;
    const timer = setTimeout(async () => {
      try {
        const page = await call(api.GET('/v1/contacts', { params: { query: { q: text.trim() || undefined, limit: 8 } } }));
        if (seq.current === mine) {
          setOptions(page.data);
          setActive(0);
        }
      } catch {
        if (seq.current === mine) setOptions([]);
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [text, open]);

  const pick = (c: Contact) => {
    onChange({ id: c.id, name: c.name });
    setText(c.name);
    setOpen(false);
  };
  const list = open && options ? options : null;
  return (
    <div className="combobox">
      <input
        id={id}
        role="combobox"
        aria-expanded={!!list}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={list && list[active] ? `${listId}-${active}` : undefined}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        autoComplete="off"
        placeholder={placeholder ?? 'Search contacts'}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          if (value) onChange(null);
        }}
        // The list opens on typing or ArrowDown, not on focus: tabbing through a form shows no pop-up.
        onFocus={() => clearTimeout(closing.current)}
        // Later, so a click on an option lands first; a refocus before then keeps the list.
        onBlur={() => (closing.current = setTimeout(() => setOpen(false), 150))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            if (list) setActive((a) => Math.min(a + 1, list.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter' && list && list[active]) {
            e.preventDefault();
            pick(list[active]);
          } else if (e.key === 'Escape' && list) {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      <ul id={listId} role="listbox" aria-label="Contacts" hidden={!list}>
        {list?.length === 0 && <li className="empty">No contact matches</li>}
        {list?.map((c, i) => (
          <li
            key={c.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => {
              e.preventDefault();
              pick(c);
            }}
          >
            {c.name}
            {c.company && <span className="muted"> · {c.company}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Loads data for a screen; `reload()` fetches again (after a change) without blanking what is shown. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload: () => setTick((t) => t + 1) };
}
