import { buildPaymentPlan, installmentStandings, uncoveredInstallments } from '../../domain/plan';
import { domainError } from '../support/errors';

const invoice = { total: 10_000, issueDate: '2026-01-01', dueDate: '2026-03-31' };


describe('buildPaymentPlan', () => {
  it.each([undefined, null, []])('defaults to one installment of the total on the due date (%p)', (input) => {
    expect(buildPaymentPlan(input, invoice)).toEqual([{ amount: 10_000, date: '2026-03-31', method: null }]);
  });

  it('keeps a valid plan, filling method with null', () => {
    expect(
      buildPaymentPlan(
        [
          { amount: 4000, date: '2026-01-31', method: 'card' },
          { amount: 6000, date: '2026-02-28' },
        ],
        invoice,
      ),
    ).toEqual([
      { amount: 4000, date: '2026-01-31', method: 'card' },
      { amount: 6000, date: '2026-02-28', method: null },
    ]);
  });

  it('sorts by date, keeping input order for equal dates', () => {
    const plan = buildPaymentPlan(
      [
        { amount: 1000, date: '2026-03-01', method: 'cash' },
        { amount: 2000, date: '2026-01-15', method: 'check' },
        { amount: 3000, date: '2026-03-01', method: 'card' },
        { amount: 4000, date: '2026-02-01', method: 'other' },
      ],
      invoice,
    );
    expect(plan.map((p) => [p.date, p.amount])).toEqual([
      ['2026-01-15', 2000],
      ['2026-02-01', 4000],
      ['2026-03-01', 1000],
      ['2026-03-01', 3000],
    ]);
  });

  it('rejects a plan that does not sum to the total (plan_total_mismatch)', () => {
    const err = domainError(() => buildPaymentPlan([{ amount: 4000, date: '2026-02-01' }, { amount: 5999, date: '2026-03-01' }], invoice));
    expect(err.kind).toBe('validation');
    expect(err.code).toBe('plan_total_mismatch');
    expect(err.details).toEqual({ planTotal: 9999, total: 10_000 });
    expect(domainError(() => buildPaymentPlan([{ amount: 10_001, date: '2026-02-01' }], invoice)).code).toBe('plan_total_mismatch');
  });

  it('rejects an installment dated before the issue date', () => {
    const err = domainError(() => buildPaymentPlan([{ amount: 5000, date: '2026-01-01' }, { amount: 5000, date: '2025-12-31' }], invoice));
    expect(err.code).toBe('plan_date_before_issue');
    expect(err.details).toEqual({ index: 1, date: '2025-12-31', issueDate: '2026-01-01' });
  });

  it('rejects an installment dated after the due date, accepting one on it', () => {
    expect(buildPaymentPlan([{ amount: 10_000, date: '2026-03-31' }], invoice)).toEqual([{ amount: 10_000, date: '2026-03-31', method: null }]);
    const err = domainError(() => buildPaymentPlan([{ amount: 5000, date: '2026-03-31' }, { amount: 5000, date: '2026-04-01' }], invoice));
    expect(err.code).toBe('plan_date_after_due');
    expect(err.details).toEqual({ index: 1, date: '2026-04-01', dueDate: '2026-03-31' });
  });

  it('rejects invalid dates and amounts naming the installment', () => {
    expect(domainError(() => buildPaymentPlan([{ amount: 10_000, date: '2026-02-30' }], invoice)).details.field).toBe('paymentPlan[0].date');
    expect(domainError(() => buildPaymentPlan([{ amount: 10_000, date: '2026-02-01' }, { amount: 0, date: '2026-02-01' }], invoice)).details.field).toBe(
      'paymentPlan[1].amount',
    );
  });
});

describe('uncoveredInstallments', () => {
  const plan = [{ amount: 1000 }, { amount: 2000 }, { amount: 3000 }];

  it('covers installments oldest first', () => {
    expect(uncoveredInstallments(plan, 0)).toEqual([1000, 2000, 3000]);
    expect(uncoveredInstallments(plan, 999)).toEqual([1, 2000, 3000]);
    expect(uncoveredInstallments(plan, 1000)).toEqual([0, 2000, 3000]);
    expect(uncoveredInstallments(plan, 1500)).toEqual([0, 1500, 3000]);
    expect(uncoveredInstallments(plan, 3001)).toEqual([0, 0, 2999]);
    expect(uncoveredInstallments(plan, 6000)).toEqual([0, 0, 0]);
    expect(uncoveredInstallments(plan, 7000)).toEqual([0, 0, 0]);
  });

  it('handles an empty plan', () => {
    expect(uncoveredInstallments([], 100)).toEqual([]);
  });
});

describe('installmentStandings', () => {
  const plan = [{ amount: 1000 }, { amount: 2000 }, { amount: 3000 }];

  it('calls an instalment paid only when payments cover it; a credit note or a write-off settles it', () => {
    // 1500 paid, 3500 credited or written off: the first is paid, the second half paid and half settled, the third settled.
    expect(installmentStandings(plan, { paid: 1500, settled: 6000 })).toEqual([
      { standing: 'paid', open: 0 },
      { standing: 'settled', open: 0 },
      { standing: 'settled', open: 0 },
    ]);
    expect(installmentStandings(plan, { paid: 1500, settled: 2500 })).toEqual([
      { standing: 'paid', open: 0 },
      { standing: 'partly_open', open: 500 },
      { standing: 'open', open: 3000 },
    ]);
  });

  it('leaves open parts that add up to what is due', () => {
    const standings = installmentStandings(plan, { paid: 999, settled: 3001 });
    expect(standings.map((s) => s.standing)).toEqual(['settled', 'settled', 'partly_open']);
    expect(standings.reduce((sum, s) => sum + s.open, 0)).toBe(6000 - 3001);
  });
});
