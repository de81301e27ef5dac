/**
 * Money is always an integer number of minor units (cents) plus an ISO 4217 currency code.
 * Never a float: amounts are checked to be safe integers at every boundary.
 */
import { validationError } from './errors';

export interface Money {
  amount: number;
  currency: string;
}

/** Largest amount accepted anywhere (well inside Number.MAX_SAFE_INTEGER and Postgres bigint). */
export const MAX_AMOUNT = 1_000_000_000_000_00;

/** The ISO 4217 codes the runtime can format (the API's currency enum). */
export const CURRENCIES: readonly string[] = Intl.supportedValuesOf('currency');
const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(CURRENCIES);

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Z]{3}$/.test(code) && SUPPORTED_CURRENCIES.has(code);
}

export function assertCurrency(code: unknown, field = 'currency'): string {
  if (!isCurrency(code)) throw validationError('invalid_currency', `${field} must be an ISO 4217 code`, { field, value: code });
  return code;
}

// Building an Intl.NumberFormat costs far more than using one (CSV rows, PDFs format thousands of amounts).
const digitsByCurrency = new Map<string, number>();
const formats = new Map<string, Intl.NumberFormat>();

/** Number of decimals of the currency's minor unit (JPY 0, EUR 2, KWD 3). */
export function minorUnitDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

export function isMinorAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_AMOUNT;
}

export function assertPositiveAmount(value: unknown, field = 'amount'): number {
  if (!isMinorAmount(value) || value === 0) {
    throw validationError('invalid_amount', `${field} must be a positive integer number of minor units`, { field, value });
  }
  return value;
}

export function sumAmounts(amounts: readonly number[]): number {
  let total = 0;
  for (const a of amounts) total += a;
  if (!Number.isSafeInteger(total) || total > MAX_AMOUNT) throw validationError('amount_too_large', 'sum of amounts is too large');
  return total;
}

/** Human formatting for reminders and messages, e.g. formatMoney(123456, 'USD') === '$1,234.56'. */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const digits = minorUnitDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const major = Math.floor(abs / 10 ** digits);
  const minor = abs % 10 ** digits;
  // Build the decimal string from integers so no float rounding can creep in.
  const text = digits === 0 ? `${major}` : `${major}.${String(minor).padStart(digits, '0')}`;
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits });
    formats.set(key, format);
  }
  return sign + format.format(text as unknown as number);
}
