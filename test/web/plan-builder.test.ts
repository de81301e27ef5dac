import { checkPlan, draftPlan, splitPlan } from '../../web/src/lib/plan';

const invoice = { total: 10000, currency: 'USD', issueDate: '2026-11-01', dueDate: '2026-12-31' };

describe('payment plan builder', () => {
  it('splits a total into N instalments whose sum is the total, the remainder on the last', () => {
    const plan = splitPlan(10000, 3, '2026-11-01', '2026-12-31');
    expect(plan.map((p) => p.amount)).toEqual([3333, 3333, 3334]);
    expect(plan.reduce((s, p) => s + p.amount, 0)).toBe(10000);
    expect(plan.map((p) => p.date)).toEqual(['2026-11-21', '2026-12-11', '2026-12-31']);
  });

  it('dates everything on the due date when the dates leave no span, and bounds the count', () => {
    expect(splitPlan(500, 2, '2026-12-31', '2026-12-31')).toEqual([
      { date: '2026-12-31', amount: 250 },
      { date: '2026-12-31', amount: 250 },
    ]);
    expect(splitPlan(500, 0, '2026-11-01', '2026-12-31')).toEqual([{ date: '2026-12-31', amount: 500 }]);
    expect(splitPlan(100000, 500, '2026-11-01', '2026-12-31')).toHaveLength(120);
  });

  it('gives the rows as input text', () => {
    expect(draftPlan(10000, 2, '2026-11-01', '2026-12-31', 'USD')).toEqual([
      { date: '2026-12-01', amount: '50.00' },
      { date: '2026-12-31', amount: '50.00' },
    ]);
  });

  it('accepts a plan that adds up and is dated inside the invoice', () => {
    const check = checkPlan(draftPlan(10000, 3, invoice.issueDate, invoice.dueDate, 'USD'), invoice);
    expect(check.summary).toBeUndefined();
    expect(check.installments).toEqual(splitPlan(10000, 3, invoice.issueDate, invoice.dueDate));
  });

  it('says how far an edited plan is from the total', () => {
    const short = checkPlan([{ date: '2026-12-01', amount: '40.00' }, { date: '2026-12-31', amount: '50.00' }], invoice);
    expect(short.installments).toBeNull();
    expect(short.summary).toBe('Instalments add up to $90.00, the invoice total is $100.00: $10.00 still to plan');
    const over = checkPlan([{ date: '2026-12-01', amount: '60.00' }, { date: '2026-12-31', amount: '50.00' }], invoice);
    expect(over.summary).toMatch(/\$10\.00 too much$/);
  });

  it('puts row messages on the right field', () => {
    const check = checkPlan(
      [
        { date: '2026-10-01', amount: '50.00' },
        { date: '2027-01-01', amount: 'abc' },
        { date: '', amount: '50.00' },
      ],
      invoice,
    );
    expect(check.rows).toEqual([
      { date: 'On or after the invoice date' },
      { amount: expect.stringMatching(/^Enter the amount/), date: 'On or before the due date' },
      { date: 'Enter a date' },
    ]);
    expect(check.installments).toBeNull();
    expect(checkPlan([], invoice).summary).toBe('Add at least one instalment');
  });
});
