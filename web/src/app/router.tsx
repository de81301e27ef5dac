/** Client-side routes under /app with the History API: links stay real links (open in a new tab works). */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { name: 'invoices' }
  | { name: 'payments' }
  | { name: 'payment-plans' }
  | { name: 'new-invoice' }
  | { name: 'invoice'; id: string }
  | { name: 'settings' }
  | { name: 'sign-in' }
  | { name: 'not-found' };

export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/app';
  if (path === '/app' || path === '/app/invoices') return { name: 'invoices' };
  if (path === '/app/payments') return { name: 'payments' };
  if (path === '/app/payment-plans') return { name: 'payment-plans' };
  if (path === '/app/invoices/new') return { name: 'new-invoice' };
  if (path === '/app/settings') return { name: 'settings' };
  if (path === '/app/sign-in') return { name: 'sign-in' };
  const invoice = /^\/app\/invoices\/([^/]+)$/.exec(path);
  if (invoice) return { name: 'invoice', id: decodeURIComponent(invoice[1]) };
  return { name: 'not-found' };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
  if (!opts.replace) window.scrollTo(0, 0);
}

/** The current location (path and query), re-rendering on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((t) => t + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return { pathname: location.pathname, search: location.search };
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}
