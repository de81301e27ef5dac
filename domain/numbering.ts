import { validationError } from './errors';

export const INVOICE_NUMBER_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$';
const INVOICE_NUMBER = new RegExp(INVOICE_NUMBER_PATTERN);

/** How a tenant's generated numbers look: prefix + the sequence zero-padded to `padding` digits. */
export interface InvoiceNumberFormat {
  prefix: string;
  padding: number;
}
export const DEFAULT_INVOICE_NUMBER_FORMAT: InvoiceNumberFormat = { prefix: 'INV-', padding: 6 };

/** A format as stored or sent: a part left out (null) is the default's. */
export const invoiceNumberFormatOf = (prefix: string | null | undefined, padding: number | null | undefined): InvoiceNumberFormat => ({
  prefix: prefix ?? DEFAULT_INVOICE_NUMBER_FORMAT.prefix,
  padding: padding ?? DEFAULT_INVOICE_NUMBER_FORMAT.padding,
});

/**
 * Prefix: empty, or up to 32 characters that may start an invoice number; padding 1–12. With the
 * sequence's at most 10 digits every generated number stays within INVOICE_NUMBER_PATTERN.
 */
export const INVOICE_PREFIX_PATTERN = '^([A-Za-z0-9][A-Za-z0-9._/-]{0,31})?$';
export const MIN_INVOICE_PADDING = 1;
export const MAX_INVOICE_PADDING = 12;

/** Generated invoice numbers: INV-000001, INV-000002, … per tenant (or the tenant's own format). */
export function formatInvoiceNumber(sequence: number, format: InvoiceNumberFormat = DEFAULT_INVOICE_NUMBER_FORMAT): string {
  return `${format.prefix}${String(sequence).padStart(format.padding, '0')}`;
}

export function assertInvoiceNumber(value: string): string {
  if (!INVOICE_NUMBER.test(value)) {
    throw validationError('invalid_invoice_number', 'number must be 1-64 letters, digits, ".", "_", "/" or "-"', { value });
  }
  return value;
}

export function assertInvoiceNumberFormat(format: InvoiceNumberFormat): InvoiceNumberFormat {
  if (!new RegExp(INVOICE_PREFIX_PATTERN).test(format.prefix)) {
    throw validationError('invalid_invoice_number_prefix', 'invoiceNumberPrefix must be empty or up to 32 letters, digits, ".", "_", "/" or "-", starting with a letter or digit', { field: 'invoiceNumberPrefix', value: format.prefix });
  }
  if (!Number.isInteger(format.padding) || format.padding < MIN_INVOICE_PADDING || format.padding > MAX_INVOICE_PADDING) {
    throw validationError('invalid_invoice_number_padding', `invoiceNumberPadding must be a whole number from ${MIN_INVOICE_PADDING} to ${MAX_INVOICE_PADDING}`, { field: 'invoiceNumberPadding', value: format.padding });
  }
  // The longest number it can generate (a 10-digit sequence) must still be a valid number.
  assertInvoiceNumber(formatInvoiceNumber(2_147_483_647, format));
  return format;
}
