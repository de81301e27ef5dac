/**
 * Whether an error means Postgres cannot be reached right now (down, restarting, refusing or
 * dropping connections, pool exhausted) rather than that the query was wrong: such a request is
 * answered 503 with Retry-After and the client retries.
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '53300', '57P01', '57P02', '57P03']);
const UNAVAILABLE_MESSAGES = /Connection terminated|Timeout acquiring a connection|connection error|terminating connection|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = String((e as { code?: unknown }).code ?? '');
    // SQLSTATE class 08: connection exception.
    if (UNAVAILABLE_CODES.has(code) || /^08/.test(code)) return true;
    if (e.name === 'ConnectionException' || e.name === 'KnexTimeoutError' || UNAVAILABLE_MESSAGES.test(e.message)) return true;
    const previous = (e as { previous?: unknown }).previous;
    if (previous instanceof Error && previous !== e && isDatabaseUnavailable(previous)) return true;
  }
  return false;
}
