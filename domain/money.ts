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

/**
 * ISO 4217's active currencies and the decimals of their minor unit: the table itself, not the
 * runtime's Intl data, which differs between Node and browsers (Chromium formats HUF, IDR, COP and PKR
 * with no decimals, Node with two; Node's CLDR data gives IQD none where ISO gives three) and would
 * show the same amount 100 times apart on two screens. Funds and precious-metal codes are left out.
 */
const ZERO_DECIMALS = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE_DECIMALS = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR_DECIMALS = 'CLF UYW';
const TWO_DECIMALS =
  'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK ' +
  'DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD ' +
  'LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR ' +
  'SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';
const DIGITS: ReadonlyMap<string, number> = new Map(
  ([[ZERO_DECIMALS, 0], [TWO_DECIMALS, 2], [THREE_DECIMALS, 3], [FOUR_DECIMALS, 4]] as const).flatMap(([codes, digits]) => codes.split(' ').map((c) => [c, digits] as const)),
);

/** The ISO 4217 codes accepted (the API's currency enum), in alphabetical order. */
export const CURRENCIES: readonly string[] = [...DIGITS.keys()].sort();

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && DIGITS.has(code);
}

export function assertCurrency(code: unknown, field = 'currency'): string {
  if (!isCurrency(code)) throw validationError('invalid_currency', `${field} must be an ISO 4217 code`, { field, value: code });
  return code;
}

/** Number of decimals of the currency's minor unit (JPY 0, EUR 2, KWD 3), from ISO 4217. */
export function minorUnitDigits(currency: string): number {
  return DIGITS.get(currency) ?? 2;
}

// Building an Intl.NumberFormat costs far more than using one (CSV rows, PDFs format thousands of amounts).
const formats = new Map<string, Intl.NumberFormat>();

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
    // The decimals are ISO's, whatever the runtime's own data says for the currency.
    format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    formats.set(key, format);
  }
  return sign + format.format(text as unknown as number);
}
