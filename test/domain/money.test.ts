import { DomainError } from '../../domain/errors';
import { domainError } from '../support/errors';
import { assertCurrency, assertPositiveAmount, formatMoney, isCurrency, isMinorAmount, MAX_AMOUNT, minorUnitDigits, sumAmounts } from '../../domain/money';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return undefined;
};

describe('currencies', () => {
  it.each(['USD', 'EUR', 'JPY', 'KWD', 'CHF', 'NZD'])('accepts ISO 4217 code %s', (c) => {
    expect(isCurrency(c)).toBe(true);
    expect(assertCurrency(c)).toBe(c);
  });

  // Withdrawn codes (ANG → XCG, HRK → EUR, SLL → SLE, ZWL → ZWG) and funds and metals, which runtimes still know.
  it.each([['usd'], ['US'], ['USDD'], ['ZZZ'], [''], [null], [840], [' USD'], ['ANG'], ['HRK'], ['SLL'], ['ZWL'], ['XAU'], ['XDR']])('rejects %p', (c) => {
    expect(isCurrency(c)).toBe(false);
    expect(codeOf(() => assertCurrency(c))).toBe('invalid_currency');
  });

  it('reports the offending field and value', () => {
    const err = domainError(() => assertCurrency('abc', 'payment.currency'));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.kind).toBe('validation');
    expect(err.details).toEqual({ field: 'payment.currency', value: 'abc' });
  });
});

describe('minor units', () => {
  it.each([
    ['JPY', 0],
    ['USD', 2],
    ['EUR', 2],
    ['KWD', 3],
    ['BHD', 3],
    // Where runtimes' Intl data differ from ISO 4217 (Chromium: HUF, IDR, COP, PKR none; Node: IQD, ALL, YER none).
    ['HUF', 2],
    ['IDR', 2],
    ['COP', 2],
    ['PKR', 2],
    ['IQD', 3],
    ['ALL', 2],
    ['YER', 2],
    ['ISK', 0],
    ['CLF', 4],
    ['XCG', 2],
    ['ZWG', 2],
  ])('%s has %i decimals', (c, digits) => {
    expect(minorUnitDigits(c)).toBe(digits);
  });

  it('accepts only non-negative safe integers up to MAX_AMOUNT', () => {
    expect(isMinorAmount(0)).toBe(true);
    expect(isMinorAmount(1)).toBe(true);
    expect(isMinorAmount(MAX_AMOUNT)).toBe(true);
    expect(isMinorAmount(MAX_AMOUNT + 1)).toBe(false);
    expect(isMinorAmount(-1)).toBe(false);
    expect(isMinorAmount(1.5)).toBe(false);
    expect(isMinorAmount(0.1 + 0.2)).toBe(false);
    expect(isMinorAmount(Number.NaN)).toBe(false);
    expect(isMinorAmount(Number.POSITIVE_INFINITY)).toBe(false);
    expect(isMinorAmount('100')).toBe(false);
    expect(isMinorAmount(10n)).toBe(false);
  });

  it('positive amounts exclude zero', () => {
    expect(assertPositiveAmount(1)).toBe(1);
    expect(codeOf(() => assertPositiveAmount(0))).toBe('invalid_amount');
    expect(codeOf(() => assertPositiveAmount(-5))).toBe('invalid_amount');
    expect(codeOf(() => assertPositiveAmount(12.5))).toBe('invalid_amount');
  });

  it('sums exactly and refuses totals beyond MAX_AMOUNT', () => {
    expect(sumAmounts([])).toBe(0);
    expect(sumAmounts([1, 2, 3])).toBe(6);
    expect(sumAmounts([MAX_AMOUNT - 1, 1])).toBe(MAX_AMOUNT);
    expect(codeOf(() => sumAmounts([MAX_AMOUNT, 1]))).toBe('amount_too_large');
  });
});

describe('formatMoney', () => {
  // Intl inserts non-breaking spaces for some locales/currencies; normalise them for readability.
  const fmt = (...args: Parameters<typeof formatMoney>) => formatMoney(...args).replace(/[\u00a0\u202f]/g, ' ');

  it('formats minor units exactly', () => {
    expect(fmt(123456, 'USD')).toBe('$1,234.56');
    expect(fmt(0, 'USD')).toBe('$0.00');
    expect(fmt(1, 'USD')).toBe('$0.01');
    expect(fmt(10, 'USD')).toBe('$0.10');
    expect(fmt(100, 'USD')).toBe('$1.00');
    expect(fmt(-5, 'USD')).toBe('-$0.05');
    expect(fmt(-123456, 'USD')).toBe('-$1,234.56');
  });

  it("uses ISO 4217's decimals, not the runtime's idea of the currency", () => {
    expect(fmt(150000, 'HUF')).toBe('HUF 1,500.00');
    expect(fmt(1500, 'IQD')).toBe('IQD 1.500');
    expect(fmt(1500, 'ALL')).toBe('ALL 15.00');
    expect(fmt(12345, 'CLF')).toBe('CLF 1.2345');
  });

  it('never goes through a float (values a float would round)', () => {
    // 0.29 * 100 = 28.999999999999996 and 1.005 cannot be represented: the integer path must not care.
    expect(fmt(29, 'USD')).toBe('$0.29');
    expect(fmt(100_5, 'KWD')).toBe('KWD 1.005');
    expect(fmt(99_999_999_999_999, 'USD')).toBe('$999,999,999,999.99');
    expect(fmt(MAX_AMOUNT, 'USD')).toBe('$1,000,000,000,000.00');
    expect(fmt(MAX_AMOUNT - 1, 'EUR', 'de-DE')).toBe('999.999.999.999,99 €');
  });

  it('respects each currency minor unit', () => {
    expect(fmt(123456, 'JPY')).toBe('¥123,456');
    expect(fmt(1234567, 'KWD')).toBe('KWD 1,234.567');
    expect(fmt(5, 'KWD')).toBe('KWD 0.005');
    expect(fmt(123456, 'EUR', 'de-DE')).toBe('1.234,56 €');
  });
});
