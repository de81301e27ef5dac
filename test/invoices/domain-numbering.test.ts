import { DomainError } from '../../domain/errors';
import { assertInvoiceNumber, formatInvoiceNumber } from '../../domain/numbering';

describe('invoice numbering', () => {
  it('pads generated numbers to six digits', () => {
    expect(formatInvoiceNumber(1)).toBe('INV-000001');
    expect(formatInvoiceNumber(42)).toBe('INV-000042');
    expect(formatInvoiceNumber(999_999)).toBe('INV-999999');
    expect(formatInvoiceNumber(1_000_000)).toBe('INV-1000000');
  });

  it('generated numbers are valid invoice numbers', () => {
    expect(assertInvoiceNumber(formatInvoiceNumber(7))).toBe('INV-000007');
  });

  it.each(['A', '2026/001', 'INV-1.2_3', 'a'.repeat(64)])('accepts %s', (n) => {
    expect(assertInvoiceNumber(n)).toBe(n);
  });

  it.each(['', '-INV', '.1', '/1', 'INV 1', 'INV#1', 'a'.repeat(65), 'ÄBC', 'INV-1\n'])('rejects %p', (n) => {
    expect(() => assertInvoiceNumber(n)).toThrow(DomainError);
    try {
      assertInvoiceNumber(n);
    } catch (err) {
      expect((err as DomainError).code).toBe('invalid_invoice_number');
      expect((err as DomainError).kind).toBe('validation');
    }
  });
});
