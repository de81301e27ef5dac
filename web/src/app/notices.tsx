/** Whole-page notices: the plan the Payment Center needs, and a page that does not exist (for this account). */
import { Link } from './router';

const PLAN_NAMES: Record<string, string> = { free: 'Free', starter: 'Starter', professional: 'Professional', enterprise: 'Enterprise' };

export function PlanRequiredPage({ plan }: { plan: string }) {
  return (
    <main className="notice">
      <h1>The Payment Center needs the Professional plan</h1>
      <p>
        Your account is on the {PLAN_NAMES[plan] ?? plan} plan. Invoices, payments and payment plans are part of the Professional and Enterprise plans.
      </p>
      <p>Ask the owner of your account to move it to the Professional plan, then sign in again to start billing from here.</p>
    </main>
  );
}

export function NotFoundPage({ what = 'Page' }: { what?: string }) {
  return (
    <section className="notice">
      <h1>{what} not found</h1>
      <p>It does not exist, or it belongs to another account.</p>
      <p>
        <Link href="/app">Back to invoices</Link>
      </p>
    </section>
  );
}
