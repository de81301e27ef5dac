import {
  applyReversal,
  assertInvoiceDates,
  assertPaymentAcceptable,
  assertVoidable,
  owedOn,
  deriveStatus,
  dueAmount,
  priceLineItems,
  type InvoiceBalance,
} from '../../domain/invoice';
import { MAX_AMOUNT } from '../../domain/money';
import { domainError } from '../support/errors';

const bal = (over: Partial<InvoiceBalance> = {}): InvoiceBalance => ({ total: 5000, paid: 0, pastDue: false, voided: false, ...over });


describe('deriveStatus / dueAmount', () => {
  it.each<[Partial<InvoiceBalance>, string, number]>([
    [{}, 'open', 5000],
    [{ paid: 4999 }, 'open', 1],
    [{ pastDue: true }, 'overdue', 5000],
    [{ pastDue: true, paid: 1000 }, 'overdue', 4000],
    [{ paid: 5000 }, 'paid', 0],
    [{ paid: 5000, pastDue: true }, 'paid', 0],
    [{ voided: true }, 'void', 5000],
    [{ voided: true, pastDue: true, paid: 100 }, 'void', 4900],
    [{ voided: true, paid: 5000 }, 'void', 0],
  ])('%p → %s, due %i', (over, status, due) => {
    expect(deriveStatus(bal(over))).toBe(status);
    expect(dueAmount(bal(over))).toBe(due);
  });

  it('due never goes negative', () => {
    expect(dueAmount(bal({ paid: 6000 }))).toBe(0);
  });
});

describe('assertPaymentAcceptable', () => {
  it('accepts up to the amount due, open or overdue', () => {
    expect(() => assertPaymentAcceptable(bal(), 5000)).not.toThrow();
    expect(() => assertPaymentAcceptable(bal({ paid: 4000, pastDue: true }), 1000)).not.toThrow();
    expect(() => assertPaymentAcceptable(bal({ paid: 1000 }), 1500)).not.toThrow();
  });

  it('rejects an overpayment with the amount due in details', () => {
    const err = domainError(() => assertPaymentAcceptable(bal({ paid: 4000 }), 1001));
    expect(err.kind).toBe('conflict');
    expect(err.code).toBe('overpayment');
    expect(err.details).toEqual({ due: 1000, amount: 1001 });
    expect(domainError(() => assertPaymentAcceptable(bal(), 5001)).code).toBe('overpayment');
  });

  it('rejects payments on void and paid invoices', () => {
    const v = domainError(() => assertPaymentAcceptable(bal({ voided: true }), 1));
    expect([v.kind, v.code]).toEqual(['conflict', 'invoice_void']);
    const p = domainError(() => assertPaymentAcceptable(bal({ paid: 5000 }), 1));
    expect([p.kind, p.code]).toEqual(['conflict', 'invoice_paid']);
    expect(p.details.due).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN, MAX_AMOUNT + 1])('rejects invalid amount %p before anything else', (amount) => {
    expect(domainError(() => assertPaymentAcceptable(bal({ voided: true }), amount)).code).toBe('invalid_amount');
  });
});

describe('reversal and void', () => {
  it('a reversal reopens a paid invoice (open or overdue) and never goes below zero', () => {
    expect(deriveStatus(applyReversal(bal({ paid: 5000 }), 2000))).toBe('open');
    expect(deriveStatus(applyReversal(bal({ paid: 5000, pastDue: true }), 1))).toBe('overdue');
    expect(applyReversal(bal({ paid: 300 }), 1000).paid).toBe(0);
  });

  it('a paid or partly paid invoice cannot be voided (its money would stay on it); open and overdue ones with nothing paid can', () => {
    const err = domainError(() => assertVoidable(bal({ paid: 5000 })));
    expect([err.kind, err.code]).toEqual(['conflict', 'invoice_paid']);
    const part = domainError(() => assertVoidable(bal({ pastDue: true, paid: 10 })));
    expect([part.kind, part.code, part.details]).toEqual(['conflict', 'invoice_has_payments', { paid: 10 }]);
    expect(() => assertVoidable(bal())).not.toThrow();
    expect(() => assertVoidable(bal({ pastDue: true }))).not.toThrow();
    expect(() => assertVoidable(bal({ credited: 1000 }))).not.toThrow();
  });

  it('nothing is owed on a void invoice, whatever its stored balance', () => {
    expect(owedOn({ status: 'void', due: 677 })).toBe(0);
    expect(owedOn({ status: 'overdue', due: 677 })).toBe(677);
  });
});

describe('priceLineItems', () => {
  it('prices quantity × unit amount and sums the total', () => {
    const { lineItems, total } = priceLineItems([
      { description: 'Consulting', quantity: 3, unitAmount: 12_500 },
      { description: 'Licence', quantity: 1, unitAmount: 99 },
    ]);
    expect(lineItems).toEqual([
      { description: 'Consulting', quantity: 3, unitAmount: 12_500, amount: 37_500 },
      { description: 'Licence', quantity: 1, unitAmount: 99, amount: 99 },
    ]);
    expect(total).toBe(37_599);
  });

  it('needs at least one line', () => {
    expect(domainError(() => priceLineItems([])).code).toBe('invalid_line_items');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects quantity %p with its index', (quantity) => {
    const err = domainError(() => priceLineItems([{ description: 'a', quantity: 1, unitAmount: 1 }, { description: 'b', quantity, unitAmount: 1 }]));
    expect(err.code).toBe('invalid_quantity');
    expect(err.details.index).toBe(1);
  });

  it.each([0, -100, 10.5])('rejects unit amount %p', (unitAmount) => {
    const err = domainError(() => priceLineItems([{ description: 'a', quantity: 2, unitAmount }]));
    expect(err.code).toBe('invalid_amount');
    expect(err.details.field).toBe('lineItems[0].unitAmount');
  });

  it('rejects a line or a total beyond the maximum amount', () => {
    expect(domainError(() => priceLineItems([{ description: 'a', quantity: 2, unitAmount: MAX_AMOUNT / 2 + 1 }])).details.field).toBe('lineItems[0].amount');
    // A line's own amount too large (past MAX_AMOUNT, or past a safe integer) says so: not "must be a positive integer".
    for (const [quantity, unitAmount] of [[2, MAX_AMOUNT / 2 + 1], [1_000_000, MAX_AMOUNT]]) {
      const err = domainError(() => priceLineItems([{ description: 'a', quantity: 1, unitAmount: 1 }, { description: 'b', quantity, unitAmount }]));
      expect({ code: err.code, details: err.details }).toEqual({ code: 'amount_too_large', details: { index: 1, field: 'lineItems[1].amount', max: MAX_AMOUNT } });
      expect(err.message).toMatch(/^lineItems\[1\]\.amount .*too large/);
      expect(err.message).not.toMatch(/positive integer/);
    }
    expect(
      domainError(() =>
        priceLineItems([
          { description: 'a', quantity: 1, unitAmount: MAX_AMOUNT },
          { description: 'b', quantity: 1, unitAmount: 1 },
        ]),
      ).code,
    ).toBe('amount_too_large');
  });
});

describe('assertInvoiceDates', () => {
  it('allows due on or after issue', () => {
    expect(() => assertInvoiceDates('2026-01-10', '2026-01-10')).not.toThrow();
    expect(() => assertInvoiceDates('2026-01-10', '2026-02-09')).not.toThrow();
  });

  it('rejects due before issue and invalid dates', () => {
    const err = domainError(() => assertInvoiceDates('2026-01-10', '2026-01-09'));
    expect(err.code).toBe('due_before_issue');
    expect(err.details).toEqual({ issueDate: '2026-01-10', dueDate: '2026-01-09' });
    expect(domainError(() => assertInvoiceDates('2026-02-30', '2026-03-10')).details.field).toBe('issueDate');
    expect(domainError(() => assertInvoiceDates('2026-02-01', '2026-02-30')).details.field).toBe('dueDate');
  });
});
