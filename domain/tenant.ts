export const TENANT_PLANS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type TenantPlan = (typeof TENANT_PLANS)[number];

/** Payment Center is sold to accounts on the Professional plan and above. */
export function planIncludesPaymentCenter(plan: TenantPlan): boolean {
  return plan === 'professional' || plan === 'enterprise';
}
