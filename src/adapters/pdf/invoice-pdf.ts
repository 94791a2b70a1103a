/**
 * Renders an invoice as a Greek invoice must look (issuer and customer with ΑΦΜ/ΔΟΥ, series and number, lines with
 * VAT per rate, totals, the RF payment code, and once transmitted the myDATA ΜΑΡΚ, UID and the AADE QR code) with
 * pdfkit. The font is DejaVu Sans from the dejavu-fonts-ttf npm package: pdfkit's built-in fonts are WinAnsi only
 * and would print Greek as garbage.
 */
import path from 'node:path';

export interface InvoicePdfData {
  issuer: { name: string; afm: string | null; doy: string | null; address: string | null; city: string | null; postalCode: string | null; phone: string | null; email: string | null };
  customer: { name: string; afm: string | null; doy: string | null; address: string | null; email: string | null } | null;
  series: string;
  number: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  status: string;
  lines: Array<{ description: string; quantity: number; unitCents: number; vatRate: number; netCents: number; vatCents: number; totalCents: number }>;
  netCents: number;
  vatCents: number;
  totalCents: number;
  paidCents: number;
  rfCode: string | null;
  mydata: { mark: string; uid: string | null; qrUrl: string | null } | null;
  logo: Buffer | null;
  language: 'el' | 'en';
}

const fontDir = () => path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

const L = {
  el: {
    title: 'ΤΙΜΟΛΟΓΙΟ ΠΑΡΟΧΗΣ ΥΠΗΡΕΣΙΩΝ', issuer: 'Εκδότης', customer: 'Πελάτης', afm: 'ΑΦΜ', doy: 'ΔΟΥ', series: 'Σειρά', number: 'Αριθμός',
    date: 'Ημερομηνία έκδοσης', due: 'Ημερομηνία λήξης', desc: 'Περιγραφή', qty: 'Ποσ.', unit: 'Τιμή μον.', vat: 'ΦΠΑ', net: 'Καθαρή αξία', total: 'Σύνολο',
    vatSummary: 'Ανάλυση ΦΠΑ', totalNet: 'Σύνολο καθαρής αξίας', totalVat: 'Σύνολο ΦΠΑ', grand: 'Πληρωτέο ποσό', paid: 'Εξοφλήθηκε', rf: 'Κωδικός πληρωμής RF',
    mark: 'ΜΑΡΚ', uid: 'UID', mydata: 'Διαβιβάστηκε στην ΑΑΔΕ (myDATA)', retail: 'Λιανική πώληση',
  },
  en: {
    title: 'INVOICE', issuer: 'Issuer', customer: 'Customer', afm: 'VAT no. (AFM)', doy: 'Tax office (DOY)', series: 'Series', number: 'Number',
    date: 'Issue date', due: 'Due date', desc: 'Description', qty: 'Qty', unit: 'Unit price', vat: 'VAT', net: 'Net', total: 'Total',
    vatSummary: 'VAT breakdown', totalNet: 'Total net', totalVat: 'Total VAT', grand: 'Amount due', paid: 'Paid', rf: 'RF payment code',
    mark: 'MARK', uid: 'UID', mydata: 'Transmitted to AADE (myDATA)', retail: 'Retail sale',
  },
};

/** 1234.5 € style with a Greek decimal comma and thousands dot. */
export function money(cents: number, currency = 'EUR'): string {
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${neg ? '-' : ''}${whole},${String(abs % 100).padStart(2, '0')} ${currency === 'EUR' ? '€' : currency}`;
}

export async function renderInvoicePdf(d: InvoicePdfData): Promise<Buffer> {
  const t = L[d.language];
  // pdfkit and qrcode are loaded on the first invoice drawn, not at start (they are ~20 MiB of the server's memory).
  const [{ default: PDFDocument }, { default: QRCode }] = await Promise.all([import('pdfkit'), import('qrcode')]);
  const qr = d.mydata?.qrUrl ? await QRCode.toBuffer(d.mydata.qrUrl, { type: 'png', margin: 1, width: 240 }) : null;
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `${d.series}-${d.number}`, Author: d.issuer.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', path.join(fontDir(), 'DejaVuSans.ttf'));
  doc.registerFont('bold', path.join(fontDir(), 'DejaVuSans-Bold.ttf'));

  const left = 40;
  const width = doc.page.width - 80;
  let y = 40;
  if (d.logo) {
    try {
      doc.image(d.logo, left, y, { fit: [140, 50] });
    } catch {
      /* a logo pdfkit cannot read (GIF, WebP) is left out rather than failing the invoice */
    }
  }
  doc.font('bold').fontSize(14).text(t.title, left + 200, y, { width: width - 200, align: 'right' });
  doc.font('regular').fontSize(10).text(`${t.series}: ${d.series}    ${t.number}: ${d.number}`, left + 200, y + 20, { width: width - 200, align: 'right' });
  doc.text(`${t.date}: ${d.issueDate}    ${t.due}: ${d.dueDate}`, left + 200, y + 34, { width: width - 200, align: 'right' });
  y += 70;

  const party = (title: string, x: number, p: { name: string; afm: string | null; doy: string | null; address: string | null; extra?: string | null }) => {
    doc.font('bold').fontSize(10).text(title, x, y);
    doc.font('regular').fontSize(9);
    const lines = [p.name, p.address, p.extra, `${t.afm}: ${p.afm ?? '—'}`, `${t.doy}: ${p.doy ?? '—'}`].filter(Boolean) as string[];
    doc.text(lines.join('\n'), x, y + 14, { width: width / 2 - 10 });
  };
  const iss = d.issuer;
  party(t.issuer, left, { name: iss.name, afm: iss.afm, doy: iss.doy, address: [iss.address, [iss.postalCode, iss.city].filter(Boolean).join(' ')].filter(Boolean).join(', ') || null, extra: [iss.phone, iss.email].filter(Boolean).join(' · ') || null });
  if (d.customer) party(t.customer, left + width / 2 + 10, { name: d.customer.name, afm: d.customer.afm, doy: d.customer.doy, address: d.customer.address, extra: d.customer.email });
  else party(t.customer, left + width / 2 + 10, { name: t.retail, afm: null, doy: null, address: null });
  y += 100;

  const cols = [
    { key: 'desc', w: width - 330, align: 'left' as const },
    { key: 'qty', w: 40, align: 'right' as const },
    { key: 'unit', w: 70, align: 'right' as const },
    { key: 'vat', w: 50, align: 'right' as const },
    { key: 'net', w: 80, align: 'right' as const },
    { key: 'total', w: 90, align: 'right' as const },
  ];
  const row = (cells: string[], bold = false) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(9);
    let x = left;
    let h = 0;
    cells.forEach((c, i) => {
      doc.text(c, x, y, { width: cols[i].w - 4, align: cols[i].align });
      h = Math.max(h, doc.heightOfString(c, { width: cols[i].w - 4 }));
      x += cols[i].w;
    });
    y += h + 6;
  };
  row([t.desc, t.qty, t.unit, t.vat, t.net, t.total], true);
  doc.moveTo(left, y - 3).lineTo(left + width, y - 3).stroke();
  for (const l of d.lines) row([l.description, String(l.quantity), money(l.unitCents, d.currency), `${l.vatRate}%`, money(l.netCents, d.currency), money(l.totalCents, d.currency)]);
  doc.moveTo(left, y).lineTo(left + width, y).stroke();
  y += 10;

  // VAT per rate, as the law asks an invoice to show it.
  const byRate = new Map<number, { net: number; vat: number }>();
  for (const l of d.lines) {
    const r = byRate.get(l.vatRate) ?? { net: 0, vat: 0 };
    r.net += l.netCents;
    r.vat += l.vatCents;
    byRate.set(l.vatRate, r);
  }
  doc.font('bold').fontSize(10).text(t.vatSummary, left, y);
  y += 14;
  doc.font('regular').fontSize(9);
  for (const [rate, v] of [...byRate.entries()].sort((a, b) => b[0] - a[0])) {
    doc.text(`${t.vat} ${rate}%: ${t.net} ${money(v.net, d.currency)} · ${t.vat} ${money(v.vat, d.currency)}`, left, y);
    y += 13;
  }
  const totalsX = left + width - 240;
  let ty = y - 13 * byRate.size - 14;
  const total = (label: string, value: string, bold = false) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(bold ? 11 : 9).text(`${label}: ${value}`, totalsX, ty, { width: 240, align: 'right' });
    ty += bold ? 16 : 13;
  };
  total(t.totalNet, money(d.netCents, d.currency));
  total(t.totalVat, money(d.vatCents, d.currency));
  total(t.grand, money(d.totalCents, d.currency), true);
  if (d.paidCents > 0) total(t.paid, money(d.paidCents, d.currency));
  y = Math.max(y, ty) + 16;

  if (d.rfCode) {
    doc.font('bold').fontSize(10).text(`${t.rf}: ${d.rfCode}`, left, y);
    y += 20;
  }
  if (d.mydata) {
    doc.font('bold').fontSize(10).text(t.mydata, left, y);
    doc.font('regular').fontSize(9).text(`${t.mark}: ${d.mydata.mark}${d.mydata.uid ? `\n${t.uid}: ${d.mydata.uid}` : ''}`, left, y + 14, { width: width - 130 });
    if (qr) doc.image(qr, left + width - 110, y, { fit: [110, 110] });
    if (d.mydata.qrUrl) doc.fontSize(7).text(d.mydata.qrUrl, left, y + 44, { width: width - 130 });
  }
  doc.end();
  return done;
}
