import { DomainError } from '../errors';

/**
 * Money is always an integer number of cents. Floats never carry amounts: "0.1 + 0.2" style drift would make
 * invoice totals disagree with their lines, which an auditor (and myDATA) rejects.
 */
export type Cents = number;

/**
 * The largest single amount accepted as input: 9,999,999.99 EUR. Plan prices live in a 32-bit INT column on
 * MariaDB (2,147,483,647 cents), and a bound well under it keeps every price storable on both databases and
 * every computed line (quantity × price × VAT) a safe integer, instead of a 500 on one dialect and a month's
 * generation failing on the other.
 */
export const MAX_AMOUNT_CENTS = 999_999_999;
/** The largest invoice total (BIGINT columns): a month's line can never exceed it, a manual one is refused. */
export const MAX_INVOICE_CENTS = 99_999_999_999_999;

/** Input echoed in a message is cut, so a 100 kB field does not come back in the answer (or the logs). */
function echo(input: unknown): string {
  const s = String(input);
  return s.length > 32 ? `${s.slice(0, 32)}…` : s;
}

// One optional sign, digits, then at most one decimal separator ('.' or the Greek ',') and one or two digits.
// Thousands separators are refused on purpose: "1.234" could be 1234 or 1.234 and guessing would move money.
const MONEY_RE = /^(-)?(\d{1,13})(?:[.,](\d{1,2}))?$/;

export function parseMoney(input: string | number, field = 'amount', opts: { allowNegative?: boolean } = {}): Cents {
  const text = typeof input === 'number' ? numberToText(input, field) : String(input).trim();
  const m = MONEY_RE.exec(text);
  if (!m) {
    throw new DomainError(`invalid_${field}`, `"${echo(input)}" is not an amount: use digits with at most two decimals, e.g. 12.50 or 12,50.`, {
      details: { [field]: 'invalid amount' },
    });
  }
  const [, sign, whole, frac = ''] = m;
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (sign && cents !== 0 && !opts.allowNegative) {
    throw new DomainError(`invalid_${field}`, `The ${field} must not be negative.`, { details: { [field]: 'negative' } });
  }
  if (cents > MAX_AMOUNT_CENTS) {
    throw new DomainError(`invalid_${field}`, `The ${field} is more than the largest amount accepted, ${formatMoney(MAX_AMOUNT_CENTS)}.`, { details: { [field]: `at most ${formatMoney(MAX_AMOUNT_CENTS)}` } });
  }
  return sign ? -cents : cents;
}

function numberToText(n: number, field: string): string {
  if (!Number.isFinite(n)) {
    throw new DomainError(`invalid_${field}`, `The ${field} must be a finite number.`, { details: { [field]: 'not finite' } });
  }
  // A JS number like 12.5 prints as "12.5"; 1e21 and friends fail the regex and are refused.
  return String(n);
}

export function isCents(v: unknown): v is Cents {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** '1234.50' style (what gateways such as PayPal expect), or with a ',' decimal separator for Greek documents. */
export function formatMoney(cents: Cents, opts: { decimal?: '.' | ',' } = {}): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`formatMoney needs integer cents, got ${cents}`);
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = String(abs % 100).padStart(2, '0');
  return `${neg ? '-' : ''}${whole}${opts.decimal ?? '.'}${frac}`;
}

/**
 * Divide with rounding half away from zero, on integers only. Greek invoicing rounds each amount to the cent
 * "commercially" (0.5 up), and doing it in integers keeps 2.675 from becoming 2.67 through binary floats.
 */
export function divRound(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new TypeError('divRound works on safe integers with a non-zero denominator');
  }
  const neg = numerator < 0 !== denominator < 0;
  const n = Math.abs(numerator);
  const d = Math.abs(denominator);
  const q = Math.floor(n / d);
  const r = n - q * d;
  const rounded = r * 2 >= d ? q + 1 : q;
  return neg && rounded !== 0 ? -rounded : rounded;
}
