/** Entities → the API's JSON shapes: camelCase, dates as YYYY-MM-DD, instants as ISO strings, money as integers. */
import type { Contact, Invoice } from '../../db';

export const ref = (c: Contact) => ({ id: c.id, name: c.name });
export const invoiceRef = (i: Invoice) => ({ id: i.id, number: i.number });
export const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A service page as the API's `{ data, nextCursor }`. */
export const pageJson = <T, J>(page: { rows: T[]; nextCursor: string | null }, toJson: (row: T) => J) => ({ data: page.rows.map(toJson), nextCursor: page.nextCursor });
