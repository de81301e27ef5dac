import { amountInputText, formatAmount, parseAmount } from '../../web/src/lib/money';

const minor = (input: string, currency = 'USD') => {
  const r = parseAmount(input, currency);
  return r.ok ? r.minor : r.message;
};

describe('money typed in major units', () => {
  it('converts exactly, without a float round-trip', () => {
    expect(minor('10.10')).toBe(1010);
    expect(minor('0.29')).toBe(29); // 0.29 * 100 is 28.999999999999996 as a float
    expect(minor('1.005', 'KWD')).toBe(1005);
    expect(minor('4.35')).toBe(435); // 4.35 * 100 is 434.99999999999994
    expect(minor('1234')).toBe(123400);
    expect(minor('.5')).toBe(50);
    expect(minor('7.')).toBe(700);
  });

  it('reads thousands separators and a decimal comma', () => {
    expect(minor('1,234.56')).toBe(123456);
    expect(minor('1 234.56')).toBe(123456);
    expect(minor('10,10')).toBe(1010);
    expect(minor('1,000')).toBe(100000);
    expect(minor('1,234,567.89')).toBe(123456789);
  });

  it('follows the currency minor unit', () => {
    expect(minor('1500', 'JPY')).toBe(1500);
    expect(minor('15.5', 'JPY')).toBe('JPY amounts have no decimals');
    expect(minor('1.234')).toBe('Use at most 2 decimals');
  });

  it('refuses what is no positive amount', () => {
    expect(minor('')).toBe('Enter an amount');
    expect(minor('0.00')).toBe('The amount must be more than zero');
    expect(minor('-5')).toMatch(/^Enter the amount as a number/);
    expect(minor('1e3')).toMatch(/^Enter the amount as a number/);
    expect(minor('12,34,5')).toMatch(/^Enter the amount as a number/);
    expect(minor('.')).toMatch(/^Enter the amount as a number/);
    expect(minor('1000000000000.01')).toMatch(/^The largest amount is/);
    expect(minor('99999999999999999999999')).toMatch(/^The largest amount is/);
    expect(minor('1000000000000.00')).toBe(100000000000000);
  });

  it('shows minor units as input text and as formatted money', () => {
    expect(amountInputText(1010, 'USD')).toBe('10.10');
    expect(amountInputText(5, 'USD')).toBe('0.05');
    expect(amountInputText(1500, 'JPY')).toBe('1500');
    expect(amountInputText(1005, 'KWD')).toBe('1.005');
    expect(formatAmount(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatAmount(1500, 'JPY', 'en-US')).toBe('¥1,500');
    for (const text of ['0.01', '10.10', '123456.78']) expect(amountInputText(minor(text) as number, 'USD')).toBe(text);
  });
});
