import type { FilterQuery } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Contact } from '../db';
import { notFound, validationError } from '../domain/errors';
import type { ServiceDeps, TenantContext } from './context';
import { decodeCursor, DEFAULT_PAGE_SIZE, likePattern, toPage, type Page, type SearchParams } from './pagination';

/** Names are trimmed; one that is only whitespace is rejected rather than stored empty. */
export function assertName(value: string): string {
  const name = value.trim();
  if (!name) throw validationError('invalid_name', 'name must not be blank', { field: 'name' });
  return name;
}

export async function createContact(deps: ServiceDeps, tenant: TenantContext, input: { name: string; email?: string | null; company?: string | null }): Promise<Contact> {
  const name = assertName(input.name);
  const now = new Date();
  const contact = deps.em.create(Contact, { id: uuidv7(), tenant: tenant.id, name, email: input.email ?? null, company: input.company ?? null, createdAt: now, updatedAt: now });
  await deps.em.flush();
  return contact;
}

export async function getContact(deps: ServiceDeps, tenant: TenantContext, id: string): Promise<Contact> {
  const contact = await deps.em.findOne(Contact, { id, tenant: tenant.id });
  if (!contact) throw notFound('contact', id);
  return contact;
}

export async function listContacts(deps: ServiceDeps, tenant: TenantContext, query: SearchParams): Promise<Page<Contact>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const where: FilterQuery<Contact> = { tenant: tenant.id };
  const after = decodeCursor(query.cursor, ['uuid']);
  if (after) where.id = { $lt: after[0] };
  if (query.q) {
    const like = likePattern(query.q);
    where.$or = [{ name: { $ilike: like } }, { email: { $ilike: like } }, { company: { $ilike: like } }];
  }
  const rows = await deps.em.find(Contact, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
  return toPage(rows, limit, (c) => [c.id]);
}
