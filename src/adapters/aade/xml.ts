import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../errors';

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Integer cents → the XSD AmountType lexical form (two fraction digits, never negative). */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) {
    throw new AppError('invalid_einvoice_amount', `Amount ${cents} is not a non-negative whole number of cents; myDATA amounts are always positive.`, 422);
  }
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A decimal string from a peer ("37.20", "37.2", "37") → integer cents, without float rounding. */
export function parseAmountToCents(value: string): number {
  const m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(value);
  if (!m) throw new AppError('invalid_einvoice_amount', `"${value}" is not an amount with at most two decimals.`, 502);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/**
 * Peers are read by local element name: myDATA, Elorus and RgWsPublic2 replies use prefixes
 * inconsistently, and the order of siblings differs between the live service and the XSD.
 * Values stay strings so a 15-digit MARK never passes through a float.
 */
export function parseXml(xml: string, arrays: readonly string[] = []): Record<string, unknown> {
  const check = XMLValidator.validate(xml);
  if (check !== true) {
    throw new AppError('malformed_xml', `The reply is not well-formed XML: ${check.err.msg} (line ${check.err.line}).`, 502);
  }
  const arraySet = new Set(arrays);
  const parser = new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    isArray: (name) => arraySet.has(name),
  });
  return parser.parse(xml) as Record<string, unknown>;
}

export type XmlNode = Record<string, unknown>;

export function child(node: unknown, name: string): XmlNode | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[name];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as XmlNode) : undefined;
}

export function children(node: unknown, name: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const v = (node as XmlNode)[name];
  if (v === undefined || v === null || v === '') return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x) => x && typeof x === 'object') as XmlNode[];
}

/** Text of a leaf; `xsi:nil` and empty elements read as undefined. */
export function text(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as XmlNode)[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v).trim();
    return s === '' ? undefined : s;
  }
  return undefined;
}
