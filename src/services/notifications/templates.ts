/**
 * Notification templates: a built-in default per name and language (el, en) that an operator may replace with
 * save_notification_template. Variables are written {{name}}; a missing variable renders as nothing. The body is
 * plain text: e-mail gets it as the text part and, escaped, inside the HTML layout; Telegram gets it escaped for
 * parse_mode=HTML.
 */
import type { Knex } from 'knex';
import { nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';

export const LANGUAGES = ['el', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

interface Tpl {
  subject: string;
  body: string;
  attach_invoice?: boolean;
}

/** The event a template is sent on automatically, when the operator enables it. */
export const TEMPLATE_EVENTS: Record<string, string> = {
  invoice_issued: 'invoice.generated',
  payment_received: 'invoice.paid',
  payment_failed: 'payment.failed',
  // The reminders are not events: the reminder job sends them on the days save_notification_settings names.
  payment_reminder: 'reminder:reminder_days_before_due',
  overdue_reminder: 'reminder:overdue_reminder_days',
  suspension_warning: 'reminder:suspension_warning_days',
  suspension: 'customer.suspended',
  reactivation: 'customer.unsuspended',
  ticket_reply: 'ticket.reply',
};

export const DEFAULT_TEMPLATES: Record<string, Record<Language, Tpl>> = {
  invoice_issued: {
    el: { subject: 'Νέο τιμολόγιο {{invoice_number}}', body: 'Αγαπητέ/ή {{name}},\n\nεκδόθηκε το τιμολόγιο {{invoice_number}} ποσού {{amount}} με λήξη {{due_date}}.\nΚωδικός πληρωμής RF: {{rf_code}}\n\n{{company_name}}', attach_invoice: true },
    en: { subject: 'New invoice {{invoice_number}}', body: 'Dear {{name}},\n\ninvoice {{invoice_number}} for {{amount}} has been issued, due {{due_date}}.\nPayment code (RF): {{rf_code}}\n\n{{company_name}}', attach_invoice: true },
  },
  payment_received: {
    el: { subject: 'Λάβαμε την πληρωμή σας', body: 'Αγαπητέ/ή {{name}},\n\nλάβαμε την πληρωμή {{amount}} για το τιμολόγιο {{invoice_number}}. Ευχαριστούμε!\n\n{{company_name}}' },
    en: { subject: 'Payment received', body: 'Dear {{name}},\n\nwe received your payment of {{amount}} for invoice {{invoice_number}}. Thank you!\n\n{{company_name}}' },
  },
  payment_failed: {
    el: { subject: 'Η πληρωμή απέτυχε', body: 'Αγαπητέ/ή {{name}},\n\nη πληρωμή για το τιμολόγιο {{invoice_number}} ({{amount}}) δεν ολοκληρώθηκε. Παρακαλούμε δοκιμάστε ξανά ή πληρώστε με τον κωδικό RF {{rf_code}}.\n\n{{company_name}}' },
    en: { subject: 'Payment failed', body: 'Dear {{name}},\n\nthe payment for invoice {{invoice_number}} ({{amount}}) did not go through. Please try again or pay with RF code {{rf_code}}.\n\n{{company_name}}' },
  },
  overdue_reminder: {
    el: { subject: 'Υπενθύμιση: ληξιπρόθεσμο τιμολόγιο {{invoice_number}}', body: 'Αγαπητέ/ή {{name}},\n\nτο τιμολόγιο {{invoice_number}} ποσού {{amount}} έληξε στις {{due_date}}. Παρακαλούμε εξοφλήστε το με τον κωδικό RF {{rf_code}} για να αποφύγετε διακοπή της υπηρεσίας.\n\n{{company_name}}', attach_invoice: true },
    en: { subject: 'Reminder: invoice {{invoice_number}} is overdue', body: 'Dear {{name}},\n\ninvoice {{invoice_number}} for {{amount}} was due on {{due_date}}. Please pay it with RF code {{rf_code}} to avoid a service suspension.\n\n{{company_name}}', attach_invoice: true },
  },
  payment_reminder: {
    el: { subject: 'Υπενθύμιση πληρωμής: τιμολόγιο {{invoice_number}}', body: 'Αγαπητέ/ή {{name}},\n\nτο τιμολόγιο {{invoice_number}} με υπόλοιπο {{amount}} λήγει στις {{due_date}}. Μπορείτε να το εξοφλήσετε με τον κωδικό RF {{rf_code}}.\n\n{{company_name}}' },
    en: { subject: 'Payment reminder: invoice {{invoice_number}}', body: 'Dear {{name}},\n\ninvoice {{invoice_number}} with {{amount}} outstanding is due on {{due_date}}. You can pay it with RF code {{rf_code}}.\n\n{{company_name}}' },
  },
  suspension_warning: {
    el: { subject: 'Προειδοποίηση αναστολής: τιμολόγιο {{invoice_number}}', body: 'Αγαπητέ/ή {{name}},\n\nτο τιμολόγιο {{invoice_number}} ({{amount}}) έληξε στις {{due_date}} και παραμένει ανεξόφλητο. Αν δεν εξοφληθεί, η σύνδεσή σας θα ανασταλεί στις {{suspension_date}}. Κωδικός πληρωμής RF: {{rf_code}}\n\n{{company_name}}' },
    en: { subject: 'Suspension warning: invoice {{invoice_number}}', body: 'Dear {{name}},\n\ninvoice {{invoice_number}} ({{amount}}) was due on {{due_date}} and is still unpaid. Unless it is paid, your connection will be suspended on {{suspension_date}}. Payment code (RF): {{rf_code}}\n\n{{company_name}}' },
  },
  suspension: {
    el: { subject: 'Αναστολή υπηρεσίας', body: 'Αγαπητέ/ή {{name}},\n\nη σύνδεσή σας ({{username}}) τέθηκε σε αναστολή. Αιτία: {{reason}}\n\n{{company_name}}' },
    en: { subject: 'Service suspended', body: 'Dear {{name}},\n\nyour connection ({{username}}) has been suspended. Reason: {{reason}}\n\n{{company_name}}' },
  },
  reactivation: {
    el: { subject: 'Επανενεργοποίηση υπηρεσίας', body: 'Αγαπητέ/ή {{name}},\n\nη σύνδεσή σας ({{username}}) ενεργοποιήθηκε ξανά.\n\n{{company_name}}' },
    en: { subject: 'Service reactivated', body: 'Dear {{name}},\n\nyour connection ({{username}}) is active again.\n\n{{company_name}}' },
  },
  ticket_reply: {
    el: { subject: 'Απάντηση στο αίτημα #{{ticket_id}}: {{ticket_subject}}', body: 'Αγαπητέ/ή {{name}},\n\n{{reply}}\n\n{{company_name}}' },
    en: { subject: 'Reply to ticket #{{ticket_id}}: {{ticket_subject}}', body: 'Dear {{name}},\n\n{{reply}}\n\n{{company_name}}' },
  },
};

export function render(s: string, vars: Record<string, unknown>): string {
  return s.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi, (_m, k: string) => {
    const v = vars[k];
    return v === undefined || v === null ? '' : String(v);
  });
}

export interface TemplateView {
  name: string;
  language: Language;
  subject: string;
  body: string;
  attach_invoice: boolean;
  enabled: boolean;
  event: string | null;
  customised: boolean;
  updated_at: string | null;
}

export async function getTemplate(db: Knex, name: string, language: Language): Promise<TemplateView | null> {
  const row = await db('notification_templates').where({ name, language }).first();
  const def = DEFAULT_TEMPLATES[name]?.[language];
  if (!row && !def) return null;
  return {
    name,
    language,
    subject: row?.subject ?? def!.subject,
    body: row?.body ?? def!.body,
    attach_invoice: row ? Boolean(row.attach_invoice) : Boolean(def?.attach_invoice),
    enabled: row ? Boolean(row.enabled) : false,
    event: TEMPLATE_EVENTS[name] ?? null,
    customised: Boolean(row),
    updated_at: row ? toIso(row.updated_at) : null,
  };
}

export async function listTemplates(db: Knex, language?: Language): Promise<TemplateView[]> {
  const rows = await db('notification_templates').select('name', 'language');
  const keys = new Set<string>();
  for (const n of Object.keys(DEFAULT_TEMPLATES)) for (const l of LANGUAGES) keys.add(`${n}\u0000${l}`);
  for (const r of rows) keys.add(`${r.name}\u0000${r.language}`);
  const out: TemplateView[] = [];
  for (const k of [...keys].sort()) {
    const [name, lang] = k.split('\u0000') as [string, Language];
    if (language && lang !== language) continue;
    const t = await getTemplate(db, name, lang);
    if (t) out.push(t);
  }
  return out;
}

export async function saveTemplate(
  db: Knex,
  input: { name: string; language: Language; subject?: string; body?: string; attach_invoice?: boolean; enabled?: boolean },
): Promise<TemplateView> {
  const cur = await getTemplate(db, input.name, input.language);
  const subject = input.subject ?? cur?.subject;
  const body = input.body ?? cur?.body;
  if (!subject) throw new AppError('missing_subject', 'A new template needs a subject.', 422, { details: { subject: 'required' } });
  if (!body) throw new AppError('missing_body', 'A new template needs a body.', 422, { details: { body: 'required' } });
  const row = {
    name: input.name,
    language: input.language,
    subject,
    body,
    attach_invoice: input.attach_invoice ?? cur?.attach_invoice ?? false,
    enabled: input.enabled ?? cur?.enabled ?? false,
    updated_at: nowUtc(),
  };
  await db('notification_templates').insert(row).onConflict(['name', 'language']).merge(['subject', 'body', 'attach_invoice', 'enabled', 'updated_at']);
  return (await getTemplate(db, input.name, input.language))!;
}
