/**
 * The CSV exports, written by Postgres: one `COPY (SELECT …) TO STDOUT WITH (FORMAT csv, HEADER)`
 * per export, streamed from a pooled connection (pg-copy-streams) with backpressure down to the
 * socket, so memory stays bounded by a few chunks whatever the export's size. The SELECT is built
 * with the query builder from the lists' own filter conditions (services/*FilterQuery); COPY takes
 * no bind parameters, so the builder inlines them with its own escaping (getFormattedQuery).
 *
 * The fields are formatted in SQL exactly as domain/csv.ts formats them (csvField, majorUnits):
 * COPY's CSV quotes a field only when it holds a quote, comma, CR or LF (quotes doubled) and writes
 * null as an empty field; text gets the formula guard; money is major units from the integer minor
 * units (exact numeric scaling by 10^-exponent, no floating point); instants as toISOString() gives
 * them. COPY ends records with LF: CrlfRecords turns those (and only those) into CRLF.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { to as copyTo } from 'pg-copy-streams';
import { raw, type FilterQuery, type ObjectQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CURRENCIES, minorUnitDigits } from '../../domain/money';
import { REFUND_STATUSES_GIVING_NOTHING_BACK } from '../../domain/payment';
import { Invoice, Payment, PlannedPayment, Refund } from '../entities';

/** Text as csvField writes it: starting with = + - @ tab or CR, an apostrophe first; '' as an empty field (COPY would write ""). */
const text = (expr: string) => `case when ${expr} ~ '^[=+\\-@\\t\\r]' then '''' || ${expr} else nullif(${expr}, '') end`;

/** 10^-exponent of the currency's minor unit, as a CASE: the ISO 4217 exponents other than 2 (JPY 0, KWD 3 …) from the same source as majorUnits. */
const EXPONENTS_NOT_2 = (() => {
  const byDigits = new Map<number, string[]>();
  for (const code of CURRENCIES) {
    const digits = minorUnitDigits(code);
    if (digits !== 2 && /^[A-Z]{3}$/.test(code)) byDigits.set(digits, [...(byDigits.get(digits) ?? []), code]);
  }
  return [...byDigits].map(([digits, codes]) => ({ unit: digits === 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`, codes: codes.map((c) => `'${c}'`).join(', ') }));
})();
const minorUnit = (currency: string) => `case ${EXPONENTS_NOT_2.map((e) => `when ${currency} in (${e.codes}) then ${e.unit}`).join(' ')} else 0.01 end`;

/** Money as majorUnits writes it (then csvField: a negative amount starts with '-', so the guard's apostrophe). */
const money = (amount: string, currency: string) => {
  const major = `(${amount} * ${minorUnit(currency)})::text`;
  return `case when ${amount} < 0 then '''' || ${major} else ${major} end`;
};

/** An instant as Date.toISOString() writes it (UTC, milliseconds). */
const instant = (expr: string) => `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** A calendar date as YYYY-MM-DD, whatever the session's DateStyle. */
const day = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD')`;

/** The select list, in the order of the columns (COPY's header row is their names). */
const selectList = <C extends string>(columns: readonly C[], expressions: Record<C, string>) => columns.map((c) => raw(`${expressions[c]} as "${c}"`));

/** total − paid − credited − written_off = due, as on the invoice's API answer. */
export const INVOICE_CSV_COLUMNS = ['id', 'number', 'status', 'contact_id', 'contact_name', 'currency', 'total', 'paid', 'credited', 'written_off', 'due', 'issue_date', 'due_date', 'created_at'] as const;

/** Newest first (uuid v7 ids are in creation order). */
export function invoiceCsvQuery(em: EntityManager, where: ObjectQuery<Invoice>): string {
  return em
    .createQueryBuilder(Invoice, 'i')
    .select(
      selectList(INVOICE_CSV_COLUMNS, {
        id: 'i.id',
        number: text('i.number'),
        status: text('i.status'),
        contact_id: 'i.contact_id',
        contact_name: text('c.name'),
        currency: text('i.currency'),
        total: money('i.total', 'i.currency'),
        paid: money('i.paid', 'i.currency'),
        credited: money('i.credited', 'i.currency'),
        written_off: money('i.written_off', 'i.currency'),
        // owedOn (domain/invoice): nothing is owed on a void invoice.
        due: money("(case when i.status = 'void' then 0 else i.due end)", 'i.currency'),
        issue_date: day('i.issue_date'),
        due_date: day('i.due_date'),
        created_at: instant('i.created_at'),
      }),
    )
    .leftJoin('i.contact', 'c')
    .where(where)
    .orderBy({ id: 'desc' })
    .getFormattedQuery();
}

/**
 * status, refunded and the void as the payments list shows them (GET /v1/payments: status, refunded, voided.at/by/reason):
 * a voided payment stays in the export, marked, so the rows reconcile with what the invoice has paid.
 */
export const PAYMENT_CSV_COLUMNS = [
  'id',
  'date',
  'amount',
  'currency',
  'method',
  'reference',
  'source',
  'status',
  'refunded',
  'voided_at',
  'voided_by',
  'void_reason',
  'contact_id',
  'contact_name',
  'invoice_id',
  'invoice_number',
  'created_at',
] as const;

/**
 * What was refunded of each payment, as paymentViews counts it: the live refunds of a card payment (a payment from
 * anywhere else has none asked of Stripe), one index probe per card payment (refunds_payment_index).
 */
const refundedOf = (em: EntityManager) =>
  em
    .createQueryBuilder(Refund, 'r')
    .select(raw('coalesce(sum(r.amount), 0)::bigint as amount'))
    .where(raw(`r.tenant_id = p.tenant_id and r.payment_id = p.id and p.source = 'stripe' and r.status not in (${REFUND_STATUSES_GIVING_NOTHING_BACK.map((s) => `'${s}'`).join(', ')})`));

/** The payment's state as paymentState (domain/payment.ts) gives it, as SQL (test/exports/copy.test.ts holds every state to it). */
const paymentStatus = (payment: string, refunded: string) =>
  `case when ${payment}.voided_at is not null then 'voided' when ${refunded} <= 0 then 'succeeded' when ${refunded} >= ${payment}.amount then 'refunded' else 'partially_refunded' end`;

/** Newest first by creation time (id breaks ties). */
export function paymentCsvQuery(em: EntityManager, where: ObjectQuery<Payment>): string {
  return em
    .createQueryBuilder(Payment, 'p')
    .select(
      selectList(PAYMENT_CSV_COLUMNS, {
        id: 'p.id',
        date: day('p.date'),
        amount: money('p.amount', 'p.currency'),
        currency: text('p.currency'),
        method: text('p.method'),
        reference: text('p.reference'),
        source: text('p.source'),
        status: paymentStatus('p', 'rf.amount'),
        refunded: money('rf.amount', 'p.currency'),
        voided_at: instant('p.voided_at'),
        voided_by: text('p.voided_by'),
        // The API's voided.reason is '' when none was kept; both are an empty field here.
        void_reason: text('p.void_reason'),
        contact_id: 'p.contact_id',
        contact_name: text('c.name'),
        invoice_id: 'p.invoice_id',
        invoice_number: text('i.number'),
        created_at: instant('p.created_at'),
      }),
    )
    .leftJoin('p.contact', 'c')
    .leftJoin('p.invoice', 'i')
    .leftJoinLateral(refundedOf(em), 'rf', { [raw('true')]: [] })
    .where(where)
    .orderBy([{ createdAt: 'desc' }, { id: 'desc' }])
    .getFormattedQuery();
}

export const PLANNED_PAYMENT_CSV_COLUMNS = ['id', 'invoice_id', 'invoice_number', 'invoice_status', 'contact_id', 'contact_name', 'installment', 'date', 'amount', 'currency', 'method'] as const;

/** Soonest first (date, then id); installments count from 1. */
export function plannedPaymentCsvQuery(em: EntityManager, conditions: FilterQuery<PlannedPayment>[]): string {
  return em
    .createQueryBuilder(PlannedPayment, 'p')
    .select(
      selectList(PLANNED_PAYMENT_CSV_COLUMNS, {
        id: 'p.id',
        invoice_id: 'p.invoice_id',
        invoice_number: text('i.number'),
        invoice_status: text('i.status'),
        contact_id: 'i.contact_id',
        contact_name: text('c.name'),
        installment: 'p.seq + 1',
        date: day('p.date'),
        amount: money('p.amount', 'i.currency'),
        currency: text('i.currency'),
        method: text('p.method'),
      }),
    )
    .leftJoin('p.invoice', 'i')
    .leftJoin('i.contact', 'c')
    .where({ $and: conditions })
    .orderBy([{ date: 'asc' }, { id: 'asc' }])
    .getFormattedQuery();
}

/** What this module uses of knex's pool and of a pg client (the ORM's driver). */
interface PgClient {
  query<T>(submittable: T): T;
  connection: { stream: { destroy(): void } };
  once(event: 'end', listener: () => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
}
interface ConnectionPool {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
}

/**
 * Streams `COPY (select) TO STDOUT` as CSV with CRLF record ends, on a connection taken from the
 * ORM's pool. The connection goes back when Postgres is done with the COPY (ReadyForQuery: after
 * the last row or an error), or when it is lost. When the stream is destroyed first (the client
 * went away), the connection's socket is closed: Postgres ends the COPY on its next write, and the
 * pool replaces the connection (knex marks it disposed) instead of handing out one still in COPY.
 * An error before the first row (a bad query) reaches the route before any byte is sent.
 */
export async function copyCsv(em: EntityManager, select: string): Promise<Readable> {
  const pool = em.getConnection().getKnex().client as ConnectionPool;
  const connection = await pool.acquireConnection();
  const copy = copyTo(`copy (${select}) to stdout with (format csv, header)`);
  const out = new CrlfRecords();
  let released = false;
  let finished = false; // the COPY ended (all rows, or an error from Postgres): the connection comes back by itself
  const release = () => {
    if (released) return;
    released = true;
    connection.removeListener('end', release);
    void pool.releaseConnection(connection);
  };
  // pg calls the query's handleReadyForQuery when Postgres is ready for the next query (pg-copy-streams' own is a no-op).
  const query = copy as unknown as { handleReadyForQuery(): void };
  const ready = query.handleReadyForQuery.bind(copy);
  query.handleReadyForQuery = () => {
    ready();
    release();
  };
  connection.once('end', release);
  copy.on('end', () => (finished = true));
  copy.on('error', (err) => {
    finished = true;
    out.destroy(err);
  });
  out.on('close', () => {
    if (finished || released) return;
    copy.unpipe(out);
    copy.destroy();
    connection.connection.stream.destroy();
    release();
  });
  connection.query(copy);
  copy.pipe(out);
  return out;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Bytes per chunk written to the response: Postgres sends its COPY in pieces of a few KiB; fewer, larger writes cost less. */
const CHUNK = 64 * 1024;

/**
 * COPY's CSV with LF record ends → CRLF record ends, in chunks of up to CHUNK bytes (or one larger piece). A line break
 * inside a quoted field stays as it is: every quote toggles the quoted state (a doubled quote
 * toggles twice), across chunks.
 */
export class CrlfRecords extends Transform {
  private quoted = false;
  /** The chunk being filled (one allocation per chunk pushed), and how much of it is. */
  private out: Buffer | null = null;
  private used = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const ends: number[] = [];
    let quoted = this.quoted;
    let quote = chunk.indexOf(QUOTE);
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
      while (quote !== -1 && quote < lf) {
        quoted = !quoted;
        quote = chunk.indexOf(QUOTE, quote + 1);
      }
      if (!quoted) ends.push(lf);
    }
    while (quote !== -1) {
      quoted = !quoted;
      quote = chunk.indexOf(QUOTE, quote + 1);
    }
    this.quoted = quoted;

    const size = chunk.length + ends.length;
    if (this.out && this.used + size > this.out.length) this.pushOut();
    if (!this.out) this.out = Buffer.allocUnsafe(Math.max(CHUNK, size));
    const out = this.out;
    let from = 0;
    let to = this.used;
    for (const lf of ends) {
      to += chunk.copy(out, to, from, lf);
      out[to++] = CR;
      from = lf;
    }
    this.used = to + chunk.copy(out, to, from);
    if (this.used === out.length) this.pushOut();
    done();
  }

  override _flush(done: TransformCallback): void {
    this.pushOut();
    done();
  }

  private pushOut() {
    if (this.out && this.used > 0) this.push(this.used === this.out.length ? this.out : this.out.subarray(0, this.used));
    this.out = null;
    this.used = 0;
  }
}
