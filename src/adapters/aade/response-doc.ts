import { AppError } from '../../errors';
import { child, children, parseAmountToCents, parseXml, text } from './xml';

export type MyDataStatusCode = 'Success' | 'ValidationError' | 'TechnicalError' | 'XMLSyntaxError';

export interface MyDataError {
  code: string;
  message: string;
}

export interface MyDataResponse {
  index?: number;
  statusCode: MyDataStatusCode | string;
  invoiceUid?: string;
  invoiceMark?: string;
  qrUrl?: string;
  cancellationMark?: string;
  classificationMark?: string;
  paymentMethodMark?: string;
  errors: MyDataError[];
}

/**
 * ResponseDoc by element name. The XSD puts <errors> before <statusCode>; the live service (and
 * firebed's stubs) put it after, so sibling order is never relied on. statusCode is the truth.
 */
export function parseResponseDoc(xml: string): MyDataResponse[] {
  const root = child(parseXml(xml, ['response', 'error']), 'ResponseDoc');
  if (!root) throw new AppError('mydata_bad_reply', 'myDATA answered without a ResponseDoc; the outcome of the call is unknown.', 502);
  return children(root, 'response').map((r) => {
    const statusCode = text(r, 'statusCode');
    if (!statusCode) throw new AppError('mydata_bad_reply', 'A myDATA response has no statusCode; the outcome of the call is unknown.', 502);
    const idx = text(r, 'index');
    return {
      index: idx !== undefined ? Number(idx) : undefined,
      statusCode,
      invoiceUid: text(r, 'invoiceUid'),
      invoiceMark: text(r, 'invoiceMark'),
      qrUrl: text(r, 'qrUrl'),
      cancellationMark: text(r, 'cancellationMark'),
      classificationMark: text(r, 'classificationMark'),
      paymentMethodMark: text(r, 'paymentMethodMark'),
      errors: children(child(r, 'errors'), 'error').map((e) => ({ code: text(e, 'code') ?? '', message: text(e, 'message') ?? '' })),
    };
  });
}

export interface TransmittedInvoice {
  uid?: string;
  mark: string;
  cancelledByMark?: string;
  issuerVat?: string;
  counterpartVat?: string;
  series: string;
  aa: string;
  issueDate: string;
  invoiceType: string;
  totalGrossCents?: number;
}

export interface CancelledInvoice {
  invoiceMark: string;
  cancellationMark: string;
  cancellationDate?: string;
}

export interface RequestedDoc {
  invoices: TransmittedInvoice[];
  cancelled: CancelledInvoice[];
  continuation?: { nextPartitionKey: string; nextRowKey: string };
}

export function parseRequestedDoc(xml: string): RequestedDoc {
  const root = child(parseXml(xml, ['invoice', 'cancelledInvoice', 'invoiceDetails']), 'RequestedDoc');
  if (!root) throw new AppError('mydata_bad_reply', 'myDATA answered RequestTransmittedDocs without a RequestedDoc.', 502);
  const token = child(root, 'continuationToken');
  const pk = text(token, 'nextPartitionKey');
  const rk = text(token, 'nextRowKey');
  return {
    invoices: children(child(root, 'invoicesDoc'), 'invoice').flatMap((inv) => {
      const mark = text(inv, 'mark');
      const header = child(inv, 'invoiceHeader');
      if (!mark || !header) return [];
      const gross = text(child(inv, 'invoiceSummary'), 'totalGrossValue');
      return [{
        uid: text(inv, 'uid'),
        mark,
        cancelledByMark: text(inv, 'cancelledByMark'),
        issuerVat: text(child(inv, 'issuer'), 'vatNumber'),
        counterpartVat: text(child(inv, 'counterpart'), 'vatNumber'),
        series: text(header, 'series') ?? '',
        aa: text(header, 'aa') ?? '',
        issueDate: text(header, 'issueDate') ?? '',
        invoiceType: text(header, 'invoiceType') ?? '',
        totalGrossCents: gross !== undefined ? parseAmountToCents(gross) : undefined,
      }];
    }),
    cancelled: children(child(root, 'cancelledInvoicesDoc'), 'cancelledInvoice').flatMap((c) => {
      const invoiceMark = text(c, 'invoiceMark');
      const cancellationMark = text(c, 'cancellationMark');
      return invoiceMark && cancellationMark ? [{ invoiceMark, cancellationMark, cancellationDate: text(c, 'cancellationDate') }] : [];
    }),
    continuation: pk && rk ? { nextPartitionKey: pk, nextRowKey: rk } : undefined,
  };
}
