/**
 * Money as people type and read it (major units: "1,234.50") and as the API keeps it (integer
 * minor units: 123450). The conversion is string arithmetic on the digits: a float never holds
 * an amount, so "10.10" is 1010 and never 1009.
 */
import { CURRENCIES, formatMoney, MAX_AMOUNT, minorUnitDigits } from '../../../domain/money';

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

/**
 * "1,234.50" (USD) → 123450. A dot is the decimal separator and commas, spaces or apostrophes
 * group thousands; a single comma followed by one or two digits ("10,10") is taken as a decimal
 * comma, the way it is typed in much of Europe.
 */
export function parseAmount(input: string, currency: string): ParsedAmount {
  const digits = minorUnitDigits(currency);
  let text = input.trim().replace(/[\s\u00a0']/g, '');
  if (text === '') return { ok: false, message: 'Enter an amount' };
  if (!text.includes('.') && /^\d+,\d{1,2}$/.test(text)) text = text.replace(',', '.');
  text = text.replace(/,(?=\d{3}(\D|$))/g, '');
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[1] === '' && !m[2])) return { ok: false, message: 'Enter the amount as a number, for example 1250.00' };
  const fraction = m[2] ?? '';
  if (fraction.length > digits) {
    return { ok: false, message: digits === 0 ? `${currency} amounts have no decimals` : `Use at most ${digits} decimals` };
  }
  const minorText = (m[1] + fraction.padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  // Compared as digit strings first: a very long input is too large, never rounded.
  const max = String(MAX_AMOUNT);
  if (minorText.length > max.length || (minorText.length === max.length && minorText > max)) {
    return { ok: false, message: `The largest amount is ${formatAmount(MAX_AMOUNT, currency)}` };
  }
  const minor = Number(minorText);
  if (minor === 0) return { ok: false, message: 'The amount must be more than zero' };
  return { ok: true, minor };
}

/** 123450 (USD) → "1234.50": the input text for an amount (no grouping, no symbol). */
export function amountInputText(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const sign = minor < 0 ? '-' : '';
  return digits === 0 ? sign + text : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** 123450 (USD) → "$1,234.50" in the reader's locale. */
export function formatAmount(minor: number, currency: string, locale?: string): string {
  return formatMoney(minor, currency, locale ?? defaultLocale());
}

function defaultLocale(): string {
  return typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US';
}

export { CURRENCIES, minorUnitDigits };
