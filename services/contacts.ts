import { v7 as uuidv7 } from 'uuid';
import type { FilterQuery } from '@mikro-orm/core';
import { Contact, Deal } from '../db/entities';
import { notFound, validationError } from '../domain/errors';
import { assertCurrency } from '../domain/money';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, likePattern, toPage } from './pagination';

/** Names are trimmed; one that is only whitespace is rejected rather than stored empty. */
function assertName(value: string): string {
  const name = value.trim();
  if (!name) throw validationError('invalid_name', 'name must not be blank', { field: 'name' });
  return name;
}

export async function createContact(deps: ServiceDeps, tenant: TenantContext, input: { name: string; email?: string | null; company?: string | null }) {
  const name = assertName(input.name);
  const em = deps.orm.em.fork();
  const contact = em.create(Contact, {
    id: uuidv7(),
    tenant: tenant.id,
    name,
    email: input.email ?? null,
    company: input.company ?? null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.flush();
  return contact;
}

export async function getContact(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<Contact> {
  const contact = await deps.orm.em.fork().findOne(Contact, { id, tenant: tenant.id });
  if (!contact) throw notFound('contact', id);
  return contact;
}

export async function listContacts(deps: ServiceDeps, tenant: TenantContext, query: { limit?: number; cursor?: string; q?: string }) {
  const limit = query.limit ?? 25;
  const where: FilterQuery<Contact> = { tenant: tenant.id };
  const after = decodeCursor(query.cursor, ['uuid']);
  if (after) where.id = { $lt: String(after[0]) };
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ name: { $ilike: like } }, { email: { $ilike: like } }, { company: { $ilike: like } }];
  }
  const rows = await deps.orm.em.fork().find(Contact, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
  return toPage(rows, limit, (c) => [c.id]);
}

export async function createDeal(deps: ServiceDeps, tenant: TenantContext, input: { name: string; contactId: string; amount: number; currency: string }) {
  const name = assertName(input.name);
  const currency = assertCurrency(input.currency);
  const em = deps.orm.em.fork();
  const contact = await em.findOne(Contact, { id: input.contactId, tenant: tenant.id });
  if (!contact) throw notFound('contact', input.contactId);
  const deal = em.create(Deal, {
    id: uuidv7(),
    tenant: tenant.id,
    contact,
    name,
    amount: input.amount,
    currency,
    createdAt: new Date(),
  });
  await em.flush();
  return deal;
}

export async function listDeals(deps: ServiceDeps, tenant: TenantContext, query: { limit?: number; cursor?: string; q?: string; contactId?: string }) {
  const limit = query.limit ?? 25;
  const where: FilterQuery<Deal> = { tenant: tenant.id };
  const after = decodeCursor(query.cursor, ['uuid']);
  if (after) where.id = { $lt: String(after[0]) };
  if (query.contactId) where.contact = query.contactId;
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ name: { $ilike: like } }, { contact: { name: { $ilike: like } } }];
  }
  const rows = await deps.orm.em.fork().find(Deal, where, { orderBy: { id: 'desc' }, limit: limit + 1, populate: ['contact'] });
  return toPage(rows, limit, (d) => [d.id]);
}
