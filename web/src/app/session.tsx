/** The signed-in account (from GET /v1/session), shared by every screen. */
import { createContext, useContext } from 'react';

export interface Tenant {
  id: string;
  name: string;
  plan: string;
  timeZone: string;
  defaultCurrency: string;
}

export interface Session {
  tenant: Tenant;
  signOut(): void;
  /** Operator links (Temporal UI), from /app/config.json; null when not configured. */
  temporalUi: { url: string; namespace: string } | null;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}

export const includesPaymentCenter = (plan: string) => plan === 'professional' || plan === 'enterprise';
