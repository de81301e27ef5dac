/**
 * The seller's company details (legal name, address, tax id) and how to pay without a card: what
 * the customer's pay page shows beside the account name. PUT replaces them all; a field left out or
 * blank is cleared.
 */
import { CompanySettings } from '../db';
import type { ServiceDeps, TenantContext } from './context';

export interface CompanySettingsInput {
  legalName?: string | null;
  address?: string | null;
  taxId?: string | null;
  paymentInstructions?: string | null;
}
export type CompanyDetails = Required<{ [K in keyof CompanySettingsInput]: string | null }> & { updatedAt: Date | null };

const EMPTY: CompanyDetails = { legalName: null, address: null, taxId: null, paymentInstructions: null, updatedAt: null };

/** Trimmed; blank is no value. */
const textOrNull = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);

export async function getCompanySettings(deps: ServiceDeps, tenant: Pick<TenantContext, 'id'>): Promise<CompanyDetails> {
  const row = await deps.em.findOne(CompanySettings, { tenant: tenant.id }, { refresh: true });
  if (!row) return EMPTY;
  return { legalName: row.legalName ?? null, address: row.address ?? null, taxId: row.taxId ?? null, paymentInstructions: row.paymentInstructions ?? null, updatedAt: row.updatedAt };
}

export async function putCompanySettings(deps: ServiceDeps, tenant: TenantContext, input: CompanySettingsInput): Promise<CompanyDetails> {
  const values = {
    legalName: textOrNull(input.legalName),
    address: textOrNull(input.address),
    taxId: textOrNull(input.taxId),
    paymentInstructions: textOrNull(input.paymentInstructions),
    updatedAt: new Date(),
  };
  await deps.em.createQueryBuilder(CompanySettings).insert({ tenant: tenant.id, ...values }).onConflict('tenant').merge(values).execute();
  return getCompanySettings(deps, tenant);
}
