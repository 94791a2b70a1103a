import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, id } from '../../gateway/fields';
import { invoicePdf } from '../../services/notifications/invoice-pdf';


/**
 * The envelope is JSON, so the PDF travels base64-encoded; the panel turns it into a download
 * (data:application/pdf;base64,…).
 */
export const invoicePdfAction = defineAction({
  name: 'invoice_pdf',
  section: 'billing',
  summary: 'The invoice as a PDF (base64): issuer and customer with AFM/DOY, lines with VAT per rate, totals, RF code, myDATA MARK/UID/QR once transmitted',
  input: z.object({ id, language: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : blank(v)), z.enum(['el', 'en']).optional()) }),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const pdf = await invoicePdf(ctx, input.id, input.language);
    return { id: input.id, filename: pdf.filename, content_type: 'application/pdf', size: pdf.content.length, pdf_base64: pdf.content.toString('base64') };
  },
});
