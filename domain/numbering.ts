import { validationError } from './errors';

export const INVOICE_NUMBER_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$';
const INVOICE_NUMBER = new RegExp(INVOICE_NUMBER_PATTERN);

/** Generated invoice numbers: INV-000001, INV-000002, … per tenant. */
export function formatInvoiceNumber(sequence: number): string {
  return `INV-${String(sequence).padStart(6, '0')}`;
}

export function assertInvoiceNumber(value: string): string {
  if (!INVOICE_NUMBER.test(value)) {
    throw validationError('invalid_invoice_number', 'number must be 1-64 letters, digits, ".", "_", "/" or "-"', { value });
  }
  return value;
}
