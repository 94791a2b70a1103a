import type { Knex } from 'knex';
import { AppError, errors, isAppError } from '../../errors';
import { forUpdate, nowUtc, parseJson, toIso } from '../../db/knex';
import { rowLease } from '../../db/lease';
import { emit } from '../../events/outbox';
import type { ServiceContext } from '../context';
import { buildInvoicesDoc, BuiltInvoice } from '../../adapters/aade/invoices-doc';
import { resolveInvoiceType } from '../../domain/greek-tax';
import { assertValidInvoicesDoc } from '../../adapters/aade/xsd-validator';
import { MyDataClient } from '../../adapters/aade/mydata-client';
import type { MyDataError } from '../../adapters/aade/response-doc';
import { ElorusClient, ElorusInvoice } from '../../adapters/elorus/elorus-client';
import { elorusContactPayload, elorusInvoicePayload } from '../../adapters/elorus/elorus-invoice';
import { localToday, takeNumbers, today } from '../billing/invoices';
import { ensureSeries } from '../billing/settings';
import { customerAfm, loadInvoice, toEinvoiceDocument } from './invoice-source';
import { ActiveProvider, EinvoiceSettings, loadEinvoiceSettings, PLANNED_PROVIDERS, Provider, myDataBaseUrl } from './settings';

type Deps = Pick<ServiceContext, 'db' | 'secrets' | 'config' | 'log' | 'tenant'>;
type Kind = 'invoice' | 'credit_note';

/** Longer than any provider timeout, so a live holder never loses its lease; a crashed one frees it. */
const LEASE_MS = 120_000;

interface SubmissionRow {
  id: number;
  invoice_id: number;
  kind: Kind;
  provider: ActiveProvider;
  document_type: string | null;
  status: string;
  mark: string | null;
  uid: string | null;
  qr_url: string | null;
  cancellation_mark: string | null;
  provider_ref: string | null;
  /** The document's own series, number and issue date as sent (a credit note's come from its own series). */
  series: string | null;
  number: number | string | null;
  issue_date: string | null;
  errors: string | null;
  attempts: number;
  lock_token: string | null;
  locked_until: string | null;
  submitted_at: string | null;
  cancelled_at: string | null;
  created_at: string;
  updated_at: string;
}

function mydataClient(deps: Deps, s: EinvoiceSettings): MyDataClient {
  return new MyDataClient({ baseUrl: myDataBaseUrl(s, deps.config.MYDATA_BASE_URL), userId: s.mydata_user_id ?? '', subscriptionKey: s.mydata_subscription_key ?? '' });
}

function elorusClient(deps: Deps, s: EinvoiceSettings): ElorusClient {
  return new ElorusClient({ baseUrl: deps.config.ELORUS_BASE_URL, apiKey: s.elorus_api_key ?? '', organizationId: s.elorus_organization_id ?? '', demo: s.elorus_demo });
}

export function resolveProvider(requested: Provider | undefined, s: EinvoiceSettings): ActiveProvider {
  const p = requested ?? s.default_provider ?? 'mydata';
  if ((PLANNED_PROVIDERS as readonly string[]).includes(p)) throw errors.providerNotAvailable(p);
  return p as ActiveProvider;
}

export function serializeSubmission(row: SubmissionRow, attempts?: Array<Record<string, unknown>>) {
  return {
    id: row.id,
    invoice_id: row.invoice_id,
    kind: row.kind,
    provider: row.provider,
    document_type: row.document_type,
    series: row.series ?? null,
    number: row.number === null || row.number === undefined ? null : Number(row.number),
    issue_date: row.issue_date ? String(row.issue_date).slice(0, 10) : null,
    status: row.status,
    mark: row.mark,
    uid: row.uid,
    qr_url: row.qr_url,
    cancellation_mark: row.cancellation_mark,
    provider_ref: row.provider_ref,
    errors: parseJson<MyDataError[]>(row.errors, []),
    attempts_count: Number(row.attempts),
    submitted_at: toIso(row.submitted_at),
    cancelled_at: toIso(row.cancelled_at),
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    ...(attempts ? { attempts } : {}),
  };
}

async function getRow(db: Knex, invoiceId: number, kind: Kind): Promise<SubmissionRow | undefined> {
  return db('einvoice_submissions').where({ invoice_id: invoiceId, kind }).first();
}

/** Creates the row if absent; a concurrent creator wins the unique key and we read its row. */
async function ensureRow(db: Knex, invoiceId: number, kind: Kind, provider: ActiveProvider): Promise<SubmissionRow> {
  const existing = await getRow(db, invoiceId, kind);
  if (existing) return existing;
  const now = nowUtc();
  await db('einvoice_submissions').insert({ invoice_id: invoiceId, kind, provider, status: 'pending', attempts: 0, created_at: now, updated_at: now }).onConflict(['invoice_id', 'kind']).ignore();
  return (await getRow(db, invoiceId, kind))!;
}

/** One submit, cancel or status read per submission at a time, across instances (src/db/lease.ts). */
const submissionLease = rowLease({ table: 'einvoice_submissions', until: 'locked_until', token: 'lock_token', ms: LEASE_MS });

async function recordAttempt(db: Knex, row: SubmissionRow, a: { operation: string; provider: string; outcome: string; statusCode?: string | null; errorCode?: string | null; detail?: unknown }): Promise<void> {
  await db('einvoice_attempts').insert({
    submission_id: row.id,
    operation: a.operation,
    provider: a.provider,
    outcome: a.outcome,
    status_code: a.statusCode ?? null,
    error_code: a.errorCode ?? null,
    detail: a.detail === undefined ? null : typeof a.detail === 'string' ? a.detail : JSON.stringify(a.detail),
    created_at: nowUtc(),
  });
  await db('einvoice_submissions').where({ id: row.id }).increment('attempts', 1);
}

/** Mirrors the state on the billing invoice so delete_invoice can refuse a transmitted one. */
async function mirrorOnInvoice(db: Knex, row: Pick<SubmissionRow, 'invoice_id' | 'kind'>, status: string, mark: string | null | undefined): Promise<void> {
  if (row.kind !== 'invoice') return;
  // The billing column knows null | pending | submitted | cancelled, and null keeps the invoice deletable:
  // a document that may hold a MARK is 'pending'; one that was refused or never left is null.
  const billing = status === 'submitted' || status === 'cancelled' ? status
    : status === 'sending' || status === 'unknown' || status === 'pending_mark' ? 'pending' : null;
  const patch: Record<string, unknown> = { einvoice_status: billing };
  if (mark !== undefined) patch.einvoice_mark = mark;
  await db('invoices').where({ id: row.invoice_id }).update(patch);
}

async function update(db: Knex, id: number, patch: Record<string, unknown>): Promise<void> {
  await db('einvoice_submissions').where({ id }).update({ ...patch, updated_at: nowUtc() });
}

async function markSubmitted(deps: Deps, row: SubmissionRow, r: { mark: string; uid?: string | null; qrUrl?: string | null; providerRef?: string | null; documentType: string; recovered?: boolean }): Promise<SubmissionRow> {
  await deps.db.transaction(async (trx) => {
    await update(trx, row.id, {
      status: 'submitted', mark: r.mark, uid: r.uid ?? null, qr_url: r.qrUrl ?? null, errors: null,
      document_type: r.documentType, submitted_at: nowUtc(), ...(r.providerRef ? { provider_ref: r.providerRef } : {}),
    });
    await mirrorOnInvoice(trx, row, 'submitted', r.mark);
    await emit(trx, 'einvoice.submitted', {
      invoice_id: row.invoice_id, kind: row.kind, provider: row.provider, document_type: r.documentType,
      mark: r.mark, uid: r.uid ?? null, qr_url: r.qrUrl ?? null, recovered: !!r.recovered,
    });
  });
  return (await getRow(deps.db, row.invoice_id, row.kind))!;
}

async function setState(deps: Deps, row: SubmissionRow, status: string, patch: Record<string, unknown> = {}): Promise<void> {
  await deps.db.transaction(async (trx) => {
    await update(trx, row.id, { status, ...patch });
    await mirrorOnInvoice(trx, row, status, undefined);
  });
}

export interface SubmitResult {
  submission: ReturnType<typeof serializeSubmission>;
  already_submitted: boolean;
  recovered: boolean;
}

/**
 * Submits an invoice (or its credit note) once. Safe to call again and concurrently: a submitted
 * document answers its MARK; a second caller during a send gets `einvoice_submission_in_progress`;
 * after a send whose reply was lost, the transmitted documents are searched before any resend.
 */
export async function submitEinvoice(deps: Deps, invoiceId: number, requested?: Provider): Promise<SubmitResult> {
  const settings = await loadEinvoiceSettings(deps.db, deps.secrets);
  const provider = resolveProvider(requested, settings);
  if (!settings.issuer_afm) {
    // The company AFM printed on invoices (billing settings) is the issuer unless set here explicitly.
    const company = await deps.db('billing_settings').where({ id: 1 }).first('company_afm').catch(() => undefined);
    if (company?.company_afm) settings.issuer_afm = String(company.company_afm);
  }
  const src = await loadInvoice(deps.db, invoiceId);
  if (src.invoice.status === 'draft') throw new AppError('invoice_not_issued', `Invoice ${invoiceId} is a draft; issue it before transmitting.`, 409);
  // A void invoice was withdrawn before it reached myDATA: it keeps its number in the books and is never sent.
  if (src.invoice.status === 'void') throw new AppError('invoice_void', `Invoice ${invoiceId} is void; it is kept for the numbering and is not transmitted.`, 409);

  // A cancelled invoice that was transmitted is corrected by a credit note correlated with its MARK.
  let kind: Kind = 'invoice';
  let correlatedMark: string | null = null;
  const original = await getRow(deps.db, invoiceId, 'invoice');
  if (src.invoice.status === 'cancelled') {
    if (original?.status === 'cancelled') {
      throw new AppError('invoice_cancelled', `Invoice ${invoiceId} is cancelled and its MARK ${original.mark} was cancelled at myDATA (${original.cancellation_mark}); there is nothing to credit.`, 409);
    }
    if (!original?.mark || original.status !== 'submitted') {
      throw new AppError('invoice_cancelled', `Invoice ${invoiceId} is cancelled and was never transmitted; there is nothing to send or credit.`, 409);
    }
    kind = 'credit_note';
    correlatedMark = original.mark;
  }

  let row = await ensureRow(deps.db, invoiceId, kind, provider);
  if (row.status === 'submitted' || row.status === 'cancelled') {
    return { submission: serializeSubmission(row), already_submitted: true, recovered: false };
  }
  const lease = await submissionLease.acquire(deps.db, { id: row.id });
  if (!lease) {
    throw new AppError('einvoice_submission_in_progress', `Invoice ${invoiceId} is being transmitted right now; check einvoice_status in a moment instead of submitting again.`, 409);
  }
  try {
    row = (await getRow(deps.db, invoiceId, kind))!;
    if (row.status === 'submitted') return { submission: serializeSubmission(row), already_submitted: true, recovered: false };
    // A document that may already be at the provider stays with that provider.
    const uncertain = row.status === 'unknown' || row.status === 'sending' || (row.provider === 'elorus' && row.status === 'pending_mark');
    const effective: ActiveProvider = uncertain ? row.provider : provider;
    if (kind === 'credit_note' && effective === 'elorus') {
      // Checked before any call: Elorus would match the original invoice's custom_id and report it as the credit note.
      throw new AppError('einvoice_type_not_supported_by_provider', `Credit notes (5.1 / 11.4) are sent directly to myDATA here; submit invoice ${invoiceId} again with provider=mydata.`, 422);
    }
    if (row.provider !== effective) {
      await update(deps.db, row.id, { provider: effective });
      row = { ...row, provider: effective };
    }
    const doc = toEinvoiceDocument(src, settings, kind, correlatedMark);
    return effective === 'mydata'
      ? await submitViaMyData(deps, settings, row, doc, uncertain)
      : await submitViaElorus(deps, settings, row, doc, src);
  } finally {
    await submissionLease.release(deps.db, lease);
  }
}

/**
 * Gives the credit note its own number, once: taken from its series with billing's gap-free takeNumbers in the
 * transaction that stores it on the submission row, which is locked first, so a retry or a racing caller
 * finds the number already there instead of taking another.
 */
async function assignCreditNoteNumber(deps: Deps, row: SubmissionRow, series: string): Promise<SubmissionRow> {
  // Created before the transaction: a unique-key race on a new series must not abort the numbering transaction.
  await ensureSeries(deps.db, series);
  await deps.db.transaction(async (trx) => {
    const cur = await forUpdate(trx, trx('einvoice_submissions').where({ id: row.id }).first('number'));
    if (cur?.number !== null && cur?.number !== undefined) return;
    if (await trx('invoices').where({ series }).first('id')) {
      throw new AppError('credit_note_series_conflict', `Series ${series} also numbers invoices; set a series of its own for credit notes with save_einvoice_settings (credit_note_series_business / credit_note_series_retail).`, 409);
    }
    const number = await takeNumbers(trx, series, 1);
    await update(trx, row.id, { series, number, issue_date: await localToday(trx) });
  });
  return (await getRow(deps.db, row.invoice_id, row.kind))!;
}

async function submitViaMyData(deps: Deps, settings: EinvoiceSettings, row: SubmissionRow, doc: ReturnType<typeof toEinvoiceDocument>, uncertain: boolean): Promise<SubmitResult> {
  let built: BuiltInvoice;
  try {
    if (row.kind === 'credit_note') {
      if (row.number === null || row.number === undefined) {
        const series = resolveInvoiceType(doc) === '5.1' ? settings.credit_note_series_business : settings.credit_note_series_retail;
        // The content is checked before a number is spent on a document that could not be sent.
        await assertValidInvoicesDoc(buildInvoicesDoc({ ...doc, series, number: '1', issueDate: today() }).xml, settings.mydata_xsd_version);
        row = await assignCreditNoteNumber(deps, row, series);
      }
      doc = { ...doc, series: row.series!, number: String(row.number), issueDate: String(row.issue_date).slice(0, 10) };
    }
    built = buildInvoicesDoc(doc);
    await assertValidInvoicesDoc(built.xml, settings.mydata_xsd_version);
  } catch (err) {
    if (isAppError(err)) {
      await recordAttempt(deps.db, row, { operation: 'build', provider: 'mydata', outcome: 'invalid', errorCode: err.code, detail: err.extra?.xsd_errors ?? err.message });
      await setState(deps, row, 'invalid', { errors: JSON.stringify([{ code: err.code, message: err.message }]) });
    }
    throw err;
  }
  const client = mydataClient(deps, settings);

  if (uncertain) {
    const found = await client.findTransmitted({ issuerVat: settings.issuer_afm!, series: doc.series, aa: doc.number, invoiceType: built.invoiceType, issueDate: doc.issueDate });
    await recordAttempt(deps.db, row, { operation: 'recover', provider: 'mydata', outcome: found ? 'recovered' : 'not_found', detail: found ? { mark: found.mark } : undefined });
    if (found) {
      const done = await markSubmitted(deps, row, { mark: found.mark, uid: found.uid, documentType: built.invoiceType, recovered: true });
      deps.log.info('einvoice recovered after a lost reply', { invoice_id: row.invoice_id, mark: found.mark });
      return { submission: serializeSubmission(done), already_submitted: false, recovered: true };
    }
  }

  // Persisted before the call: if the process dies mid-send, the next attempt knows to look first.
  await update(deps.db, row.id, { status: 'sending', document_type: built.invoiceType, xml: built.xml, ...sentAs(doc) });
  let responses;
  try {
    responses = await client.sendInvoices(built.xml);
  } catch (err) {
    const outcome = isAppError(err) ? (err.extra?.outcome as string | undefined) : 'unknown';
    const status = outcome === 'not_sent' ? 'failed' : 'unknown';
    await recordAttempt(deps.db, row, { operation: 'send', provider: 'mydata', outcome: 'transport_error', errorCode: isAppError(err) ? err.code : 'error', detail: (err as Error).message });
    await setState(deps, row, status);
    throw err;
  }
  const r = responses.find((x) => x.index === 1) ?? responses[0];
  if (!r) {
    await recordAttempt(deps.db, row, { operation: 'send', provider: 'mydata', outcome: 'transport_error', errorCode: 'mydata_bad_reply' });
    await setState(deps, row, 'unknown');
    throw new AppError('mydata_bad_reply', 'myDATA answered with an empty ResponseDoc; the invoice will be checked before any resend.', 502);
  }
  if (r.statusCode === 'Success' && r.invoiceMark) {
    await recordAttempt(deps.db, row, { operation: 'send', provider: 'mydata', outcome: 'success', statusCode: r.statusCode, detail: { mark: r.invoiceMark } });
    const done = await markSubmitted(deps, row, { mark: r.invoiceMark, uid: r.invoiceUid, qrUrl: r.qrUrl, documentType: built.invoiceType });
    return { submission: serializeSubmission(done), already_submitted: false, recovered: false };
  }
  const errs = r.errors.length ? r.errors : [{ code: '', message: `myDATA answered ${r.statusCode}` }];
  await recordAttempt(deps.db, row, { operation: 'send', provider: 'mydata', outcome: r.statusCode === 'TechnicalError' ? 'technical_error' : 'rejected', statusCode: r.statusCode, detail: errs });
  if (r.statusCode === 'TechnicalError') {
    await setState(deps, row, 'failed', { errors: JSON.stringify(errs) });
    throw new AppError('mydata_technical_error', `myDATA could not process the invoice right now (${errs[0].message}); submit again later.`, 502, { extra: { errors: errs } });
  }
  await setState(deps, row, 'rejected', { errors: JSON.stringify(errs) });
  throw new AppError('einvoice_rejected', `myDATA rejected the invoice (${r.statusCode}): ${errs.map((e) => `${e.code ? `[${e.code}] ` : ''}${e.message}`).join('; ')}`, 422, { extra: { status_code: r.statusCode, errors: errs } });
}

/** Kept on the submission as the record of what was sent; a credit note's were stored when it was numbered. */
function sentAs(doc: ReturnType<typeof toEinvoiceDocument>) {
  return { series: doc.series, number: Number(doc.number), issue_date: doc.issueDate };
}

function elorusMark(inv: ElorusInvoice): string | null {
  const m = inv.mydata_latest_mark;
  return m === null || m === undefined || m === '' ? null : String(m);
}

async function applyElorusState(deps: Deps, row: SubmissionRow, inv: ElorusInvoice, documentType: string): Promise<SubmitResult> {
  const mark = elorusMark(inv);
  if (mark) {
    const done = await markSubmitted(deps, row, { mark, uid: inv.mydata_uid ?? null, qrUrl: inv.mydata_qr_url ?? null, providerRef: String(inv.id), documentType });
    return { submission: serializeSubmission(done), already_submitted: false, recovered: false };
  }
  // Issued at Elorus but not yet at AADE: never re-issue, the MARK is read back later.
  const status = inv.mydata_submission_status === 'wont_send' ? 'failed' : 'pending_mark';
  await setState(deps, row, status, { provider_ref: String(inv.id), document_type: documentType });
  return { submission: serializeSubmission((await getRow(deps.db, row.invoice_id, row.kind))!), already_submitted: false, recovered: false };
}

async function submitViaElorus(deps: Deps, settings: EinvoiceSettings, row: SubmissionRow, doc: ReturnType<typeof toEinvoiceDocument>, src: Awaited<ReturnType<typeof loadInvoice>>): Promise<SubmitResult> {
  const client = elorusClient(deps, settings);
  const documentType = resolveInvoiceType(doc);
  // The same checks as for myDATA, so a document Elorus would forward is one AADE accepts.
  buildInvoicesDoc(doc);
  const customId = `ispgate:${deps.tenant.slug}:invoice:${row.invoice_id}`;
  if (row.provider_ref) {
    const inv = await client.getInvoice(row.provider_ref);
    await recordAttempt(deps.db, row, { operation: 'refresh', provider: 'elorus', outcome: elorusMark(inv) ? 'success' : 'pending', statusCode: inv.mydata_submission_status ?? null });
    return applyElorusState(deps, row, inv, documentType);
  }
  const existing = await client.findInvoiceByCustomId(customId);
  if (existing) {
    await recordAttempt(deps.db, row, { operation: 'recover', provider: 'elorus', outcome: 'recovered', statusCode: existing.mydata_submission_status ?? null });
    const r = await applyElorusState(deps, row, existing, documentType);
    return { ...r, recovered: true };
  }
  const afm = customerAfm(src.customer);
  const contactCustomId = `ispgate:${deps.tenant.slug}:customer:${src.customer?.id ?? 0}`;
  let contact = await client.findContact({ vatNumber: afm ?? undefined, customId: contactCustomId });
  if (!contact) {
    contact = await client.createContact(elorusContactPayload({
      customId: contactCustomId, name: src.customer?.fullname ?? `Customer ${src.customer?.id ?? ''}`.trim(),
      vatNumber: afm, email: src.customer?.email,
    }));
  }
  const payload = elorusInvoicePayload(doc, String(contact.id), customId, { taxIds: settings.elorus_tax_ids, documentTypes: settings.elorus_document_types }, src.invoice.status === 'paid');
  await update(deps.db, row.id, { status: 'sending', document_type: documentType, ...sentAs(doc) });
  let inv: ElorusInvoice;
  try {
    inv = await client.createInvoice(payload);
  } catch (err) {
    const outcome = isAppError(err) ? (err.extra?.outcome as string | undefined) : 'unknown';
    await recordAttempt(deps.db, row, { operation: 'send', provider: 'elorus', outcome: isAppError(err) && err.code === 'elorus_rejected' ? 'rejected' : 'transport_error', errorCode: isAppError(err) ? err.code : 'error', detail: (err as Error).message });
    await setState(deps, row, outcome === 'unknown' ? 'unknown' : isAppError(err) && err.code === 'elorus_rejected' ? 'rejected' : 'failed', { errors: JSON.stringify([{ code: isAppError(err) ? err.code : 'error', message: (err as Error).message }]) });
    throw err;
  }
  await recordAttempt(deps.db, row, { operation: 'send', provider: 'elorus', outcome: elorusMark(inv) ? 'success' : 'pending', statusCode: inv.mydata_submission_status ?? null, detail: { elorus_id: inv.id } });
  return applyElorusState(deps, row, inv, documentType);
}

export async function einvoiceStatus(deps: Deps, invoiceId: number) {
  const exists = await deps.db('invoices').where({ id: invoiceId }).first('id', 'series', 'number', 'issue_date');
  if (!exists) throw new AppError('invoice_not_found', `Invoice ${invoiceId} was not found.`, 404);
  let rows: SubmissionRow[] = await deps.db('einvoice_submissions').where({ invoice_id: invoiceId }).orderBy('id');
  // An Elorus document waiting for its MARK is read back on status, under the same lease as submits.
  for (const row of rows.filter((r) => r.provider === 'elorus' && r.status === 'pending_mark' && r.provider_ref)) {
    const lease = await submissionLease.acquire(deps.db, { id: row.id });
    if (!lease) continue;
    try {
      const settings = await loadEinvoiceSettings(deps.db, deps.secrets);
      const inv = await elorusClient(deps, settings).getInvoice(row.provider_ref!);
      await recordAttempt(deps.db, row, { operation: 'refresh', provider: 'elorus', outcome: elorusMark(inv) ? 'success' : 'pending', statusCode: inv.mydata_submission_status ?? null });
      await applyElorusState(deps, row, inv, row.document_type ?? '');
    } finally {
      await submissionLease.release(deps.db, lease);
    }
  }
  rows = await deps.db('einvoice_submissions').where({ invoice_id: invoiceId }).orderBy('id');
  const out = [];
  for (const row of rows) {
    const attempts = await deps.db('einvoice_attempts').where({ submission_id: row.id }).orderBy('id');
    // An invoice submission sent before these columns existed shows the invoice's own numbering.
    const shown = row.kind === 'invoice' && !row.series ? { ...row, series: exists.series, number: exists.number, issue_date: exists.issue_date } : row;
    out.push(serializeSubmission(shown, attempts.map((a) => ({
      operation: a.operation, provider: a.provider, outcome: a.outcome, status_code: a.status_code, error_code: a.error_code,
      detail: parseJson(a.detail, a.detail), at: toIso(a.created_at),
    }))));
  }
  const main = out.find((s) => s.kind === 'invoice');
  const credit = out.find((s) => s.kind === 'credit_note');
  return {
    invoice_id: invoiceId,
    status: main?.status ?? 'not_submitted',
    mark: main?.mark ?? null,
    uid: main?.uid ?? null,
    qr_url: main?.qr_url ?? null,
    cancellation_mark: main?.cancellation_mark ?? null,
    errors: main?.errors ?? [],
    credit_note: credit
      ? { status: credit.status, document_type: credit.document_type, series: credit.series, number: credit.number, issue_date: credit.issue_date, mark: credit.mark, uid: credit.uid, qr_url: credit.qr_url, errors: credit.errors }
      : null,
    submissions: out,
  };
}

export async function cancelEinvoice(deps: Deps, invoiceId: number) {
  const row = await getRow(deps.db, invoiceId, 'invoice');
  if (!row) throw new AppError('einvoice_not_submitted', `Invoice ${invoiceId} was never transmitted; there is no MARK to cancel.`, 409);
  if (row.status === 'cancelled') return { submission: serializeSubmission(row), already_cancelled: true };
  if (row.status !== 'submitted' || !row.mark) throw new AppError('einvoice_not_submitted', `Invoice ${invoiceId} has no MARK (status ${row.status}); there is nothing to cancel.`, 409);
  const lease = await submissionLease.acquire(deps.db, { id: row.id });
  if (!lease) throw new AppError('einvoice_submission_in_progress', `Invoice ${invoiceId} is being processed right now; retry in a moment.`, 409);
  try {
    const settings = await loadEinvoiceSettings(deps.db, deps.secrets);
    let cancellationMark: string | null = null;
    if (row.provider === 'mydata') {
      const r = await mydataClient(deps, settings).cancelInvoice(row.mark);
      await recordAttempt(deps.db, row, { operation: 'cancel', provider: 'mydata', outcome: r.statusCode === 'Success' ? 'success' : 'rejected', statusCode: r.statusCode, detail: r.errors.length ? r.errors : { cancellation_mark: r.cancellationMark } });
      if (r.statusCode !== 'Success' || !r.cancellationMark) {
        throw new AppError('einvoice_cancel_rejected', `myDATA refused to cancel MARK ${row.mark} (${r.statusCode}): ${r.errors.map((e) => e.message).join('; ') || 'no reason given'}`, 422, { extra: { errors: r.errors } });
      }
      cancellationMark = r.cancellationMark;
    } else {
      const inv = await elorusClient(deps, settings).voidInvoice(row.provider_ref!);
      cancellationMark = inv.mydata_latest_cancel_mark ? String(inv.mydata_latest_cancel_mark) : null;
      await recordAttempt(deps.db, row, { operation: 'cancel', provider: 'elorus', outcome: cancellationMark ? 'success' : 'pending', detail: { elorus_id: inv.id } });
      if (!cancellationMark) throw new AppError('einvoice_cancel_pending', 'Elorus voided the invoice but has no myDATA cancellation mark yet; check einvoice_status later.', 502);
    }
    await deps.db.transaction(async (trx) => {
      await update(trx, row.id, { status: 'cancelled', cancellation_mark: cancellationMark, cancelled_at: nowUtc() });
      await mirrorOnInvoice(trx, row, 'cancelled', undefined);
    });
    return { submission: serializeSubmission((await getRow(deps.db, invoiceId, 'invoice'))!), already_cancelled: false };
  } finally {
    await submissionLease.release(deps.db, lease);
  }
}
