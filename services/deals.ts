import type { FilterQuery } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Contact, Deal } from '../db';
import { notFound } from '../domain/errors';
import { assertCurrency } from '../domain/money';
import { assertName } from './contacts';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, DEFAULT_PAGE_SIZE, likePattern, toPage, type Page, type SearchParams } from './pagination';

export async function createDeal(deps: ServiceDeps, tenant: TenantContext, input: { name: string; contactId: string; amount: number; currency: string }): Promise<Deal> {
  const name = assertName(input.name);
  const currency = assertCurrency(input.currency);
  const contact = await deps.em.findOne(Contact, { id: input.contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', input.contactId);
  const deal = deps.em.create(Deal, { id: uuidv7(), tenant: tenant.id, contact, name, amount: input.amount, currency, createdAt: new Date() });
  await deps.em.flush();
  return deal;
}

export async function listDeals(deps: ServiceDeps, tenant: TenantContext, query: SearchParams & { contactId?: string }): Promise<Page<Deal>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const where: FilterQuery<Deal> = { tenant: tenant.id };
  const after = decodeCursor(query.cursor, ['uuid']);
  if (after) where.id = { $lt: after[0] };
  if (query.contactId) where.contact = query.contactId;
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ name: { $ilike: like } }, { contact: { name: { $ilike: like } } }];
  }
  const rows = await deps.em.find(Deal, where, { orderBy: { id: 'desc' }, limit: limit + 1, populate: ['contact'] });
  return toPage(rows, limit, (d) => [d.id]);
}
