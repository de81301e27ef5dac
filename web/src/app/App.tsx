/** The team's app: session check, the header, the three tabs and the screen of the current route. */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, call, onSessionProblem } from '../api/client';
import { useDocumentTitle } from './components';
import { InvoicePage } from './InvoicePage';
import { InvoicesTab } from './InvoicesTab';
import { NewInvoicePage } from './NewInvoicePage';
import { NotFoundPage, PlanRequiredPage } from './notices';
import { PaymentPlansTab } from './PaymentPlansTab';
import { PaymentsTab } from './PaymentsTab';
import { navigate, routeOf, useLocation, Link, type Route } from './router';
import { includesPaymentCenter, SessionContext, type Session, type Tenant } from './session';
import { SettingsPage } from './SettingsPage';
import { SignInPage } from './SignInPage';

type AppConfig = { temporalUiUrl: string | null; temporalNamespace: string };

/** Each screen's window title (before " · Payment Center"); an invoice's drill-down names itself by its number. */
const SCREEN_TITLES: Record<Route['name'], string | null> = {
  invoices: 'Invoices',
  payments: 'Payments',
  'payment-plans': 'Payment plans',
  'new-invoice': 'New invoice',
  invoice: null,
  settings: 'Settings',
  'sign-in': 'Sign in',
  'not-found': 'Not found',
};

export function App() {
  const { pathname, search } = useLocation();
  const route = routeOf(pathname);
  const [tenant, setTenant] = useState<Tenant | null | undefined>(undefined);
  const [config, setConfig] = useState<AppConfig | null>(null);

  const loadSession = useCallback(async () => {
    try {
      setTenant((await call(api.GET('/v1/session'), { quiet401: true })).tenant);
    } catch {
      setTenant(null);
    }
  }, []);
  useEffect(() => {
    void loadSession();
    fetch('/app/config.json').then(
      (r) => (r.ok ? r.json().then(setConfig) : null),
      () => null,
    );
  }, [loadSession]);
  useEffect(
    () =>
      onSessionProblem((failure) => {
        if (failure.status === 401) setTenant(null);
        else void loadSession();
      }),
    [loadSession],
  );

  const signOut = useCallback(async () => {
    await api.DELETE('/v1/session').catch(() => undefined);
    setTenant(null);
    navigate('/app/sign-in', { replace: true });
  }, []);

  useDocumentTitle(tenant === undefined ? null : tenant === null ? 'Sign in' : !includesPaymentCenter(tenant.plan) ? 'Professional plan needed' : SCREEN_TITLES[route.name]);

  if (tenant === undefined) return <p className="loading">Loading…</p>;
  if (tenant === null) {
    return (
      <SignInPage
        onSignedIn={(t) => {
          setTenant(t);
          // Back to the page that asked for the sign-in (a path of this app only).
          const next = new URLSearchParams(location.search).get('next');
          if (location.pathname === '/app/sign-in') navigate(next && /^\/app(\/|$)/.test(next) && !next.startsWith('/app/sign-in') ? next : '/app', { replace: true });
        }}
        next={route.name === 'sign-in' ? null : pathname + search}
      />
    );
  }
  if (route.name === 'sign-in') return <Redirect to="/app" />;
  const session: Session = {
    tenant,
    signOut,
    temporalUi: config?.temporalUiUrl ? { url: config.temporalUiUrl, namespace: config.temporalNamespace } : null,
  };
  return (
    <SessionContext.Provider value={session}>
      <Header tenant={tenant} onSignOut={signOut} />
      {includesPaymentCenter(tenant.plan) ? <Screen route={route} /> : <PlanRequiredPage plan={tenant.plan} />}
    </SessionContext.Provider>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Header({ tenant, onSignOut }: { tenant: Tenant; onSignOut: () => void }) {
  return (
    <header className="app-header">
      <Link href="/app" className="brand">
        Payment Center
      </Link>
      <span className="tenant-name">{tenant.name}</span>
      <nav aria-label="Account">
        <Link href="/app/settings">Settings</Link>
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </nav>
    </header>
  );
}

const TABS = [
  { key: 'invoices', label: 'Invoices', href: '/app' },
  { key: 'payments', label: 'Payments', href: '/app/payments' },
  { key: 'payment-plans', label: 'Payment plans', href: '/app/payment-plans' },
] as const;

function tabOf(route: Route): (typeof TABS)[number]['key'] | null {
  if (route.name === 'invoices' || route.name === 'invoice' || route.name === 'new-invoice') return 'invoices';
  if (route.name === 'payments' || route.name === 'payment-plans') return route.name;
  return null;
}

function Screen({ route }: { route: Route }) {
  const current = tabOf(route);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const to = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    refs.current[to]?.focus();
    navigate(TABS[to].href);
  };
  return (
    <>
      <div role="tablist" aria-label="Payment Center" className="tabs">
        {TABS.map((t, i) => (
          <button
            key={t.key}
            ref={(el) => void (refs.current[i] = el)}
            type="button"
            role="tab"
            id={`tab-${t.key}`}
            aria-selected={current === t.key}
            aria-controls={current === t.key ? 'tab-panel' : undefined}
            tabIndex={current === t.key || (current === null && i === 0) ? 0 : -1}
            onClick={() => navigate(t.href)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <main id="tab-panel" {...(current ? { role: 'tabpanel', 'aria-labelledby': `tab-${current}` } : {})}>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'invoices':
      return <InvoicesTab />;
    case 'invoice':
      return <InvoicePage key={route.id} id={route.id} />;
    case 'new-invoice':
      return <NewInvoicePage />;
    case 'payments':
      return <PaymentsTab />;
    case 'payment-plans':
      return <PaymentPlansTab />;
    case 'settings':
      return <SettingsPage />;
    default:
      return <NotFoundPage />;
  }
}
