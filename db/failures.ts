/**
 * What a Postgres failure means. Unavailable (down, restarting, refusing or dropping connections,
 * pool exhausted): a request is answered 503 with Retry-After, an activity is retried. Refused (the
 * data itself, SQLSTATE classes 22 and 23): retrying can never succeed.
 */
/** What Postgres answers a statement holding a NUL byte: the same statement fails every time. */
const PROTOCOL_VIOLATION = '08P01';
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '53300', '57P01', '57P02', '57P03']);
const UNAVAILABLE_MESSAGES = /Connection terminated|Timeout acquiring a connection|connection error|terminating connection|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = String((e as { code?: unknown }).code ?? '');
    // SQLSTATE class 08: connection exception (not 08P01, which the statement's own bytes cause).
    if (UNAVAILABLE_CODES.has(code) || (/^08/.test(code) && code !== PROTOCOL_VIOLATION)) return true;
    if (e.name === 'ConnectionException' || e.name === 'KnexTimeoutError' || UNAVAILABLE_MESSAGES.test(e.message)) return true;
    const previous = (e as { previous?: unknown }).previous;
    if (previous instanceof Error && previous !== e && isDatabaseUnavailable(previous)) return true;
  }
  return false;
}

/** Data exceptions (22), integrity violations (23), a statement Postgres cannot parse (08P01): refused every time. */
export function isRefusedWrite(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause ?? (e as { previous?: unknown }).previous) {
    const code = String((e as { code?: unknown }).code ?? '');
    if (/^2[23][0-9A-Z]{3}$/.test(code) || code === PROTOCOL_VIOLATION) return true;
  }
  return false;
}

/** SQLSTATE and message of a refused write, for an operator (storable text only). */
export function refusalReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return `${String(e?.code ?? '')} ${String(e?.message ?? err)}`.toWellFormed().replace(/\u0000/g, '').slice(0, 500);
}
