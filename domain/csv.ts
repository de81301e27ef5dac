/**
 * CSV for exports (RFC 4180): comma-separated, CRLF line ends, fields quoted when they hold a quote,
 * comma or line break (quotes doubled). Text a spreadsheet would run as a formula (starting with
 * = + - @, or a tab / carriage return) gets a leading apostrophe (the OWASP CSV-injection guard).
 * Money is written in major units from integers: no floating point on the way.
 */
import { minorUnitDigits } from './money';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: numbers and booleans as they are, text guarded and quoted as needed, null empty. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A record with its CRLF. */
export const csvLine = (fields: readonly (string | number | boolean | null | undefined)[]) => `${fields.map(csvField).join(',')}\r\n`;

/**
 * Minor units as a decimal string in major units (ISO 4217 exponent: JPY 0, USD 2, KWD 3), e.g.
 * majorUnits(123456, 'USD') === '1234.56', majorUnits('5', 'KWD') === '0.005'. Integer arithmetic only.
 */
export function majorUnits(minor: number | string | bigint, currency: string): string {
  const n = BigInt(minor);
  const digits = minorUnitDigits(currency);
  const abs = (n < 0n ? -n : n).toString().padStart(digits + 1, '0');
  const sign = n < 0n ? '-' : '';
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
