import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import express, { type NextFunction, type Request, type Response } from 'express';
import qs from 'qs';
import { AppError } from '../errors';
import type { UploadedFile } from './action';

/** The most fields a form, a query string or a multipart body may carry. */
export const MAX_FIELDS = 10_000;

/** PHP's http_build_query output, brackets and all: `permissions[customers]=read`, `ids[]=1&ids[]=2`, nesting. */
export const QS_OPTIONS: qs.IParseOptions = { depth: 10, arrayLimit: 0, parameterLimit: MAX_FIELDS, allowPrototypes: false, allowDots: false };

/**
 * qs keeps every bracket key (arrayLimit 0); then, as PHP does, a map whose keys are exactly 0..n-1 in order
 * becomes a list. So `ids[]=1&ids[]=2` → ['1','2'] while `vat[24]=101&vat[13]=102` keeps its keys.
 */
function phpArrays(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(phpArrays);
  if (!v || typeof v !== 'object') return v;
  const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, phpArrays(x)] as const);
  if (entries.length > 0 && entries.every(([k], i) => k === String(i))) return entries.map(([, x]) => x);
  return Object.fromEntries(entries);
}

export function tooManyFields(): AppError {
  return new AppError('too_many_fields', `The request has more than ${MAX_FIELDS} fields; nothing after the limit would be read, so none of it was.`, 413);
}

/**
 * qs silently drops every parameter after its limit: a form whose `action` came after the 10,000th field would
 * answer `missing_action`. Counting first turns that into a clear refusal.
 */
export function parseQuery(raw: string | null | undefined): Record<string, unknown> {
  const s = raw ?? '';
  let n = s.length ? 1 : 0;
  for (let i = s.indexOf('&'); i !== -1 && n <= MAX_FIELDS; i = s.indexOf('&', i + 1)) n++;
  if (n > MAX_FIELDS) throw tooManyFields();
  if (!s) return {};
  return FLAT_SAFE.test(s) ? parseFlat(s) : parseWithQs(s);
}

/** The general parser (brackets, nesting, PHP lists); parseQuery's flat shortcut must answer exactly as this does. */
export function parseWithQs(s: string): Record<string, unknown> {
  return phpArrays(qs.parse(s, QS_OPTIONS)) as Record<string, unknown>;
}

/** No bracket, raw or percent-encoded, anywhere: every key is a plain name and qs would build no nesting. */
const FLAT_SAFE = /^[^[\]%]*(?:%(?![5][bBdD])[^[\]%]*)*$/;
const hasOwn = Object.prototype.hasOwnProperty;

function decodeComponent(s: string): string {
  const plain = s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  if (plain.indexOf('%') === -1) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}

/**
 * The common form (`action=me&id=5`) without qs: qs sets up its options, splits and merges for any shape, which cost
 * several µs on every request. Same answer as parseWithQs for a bracket-free string (test/unit/core-body.test.ts
 * compares the two): `+` is a space, an undecodable escape is kept as sent, a key named like an Object.prototype
 * member is dropped, a repeated key becomes a list, an empty key or empty part is skipped.
 */
function parseFlat(s: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let start = 0;
  while (start <= s.length) {
    let end = s.indexOf('&', start);
    if (end === -1) end = s.length;
    if (end > start) {
      const eq = s.indexOf('=', start);
      const hasEq = eq !== -1 && eq < end;
      const key = decodeComponent(s.slice(start, hasEq ? eq : end));
      if (key !== '' && !hasOwn.call(Object.prototype, key)) {
        const value = hasEq ? decodeComponent(s.slice(eq + 1, end)) : '';
        if (!hasOwn.call(out, key)) out[key] = value;
        else {
          const prev = out[key];
          out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
        }
      }
    }
    start = end + 1;
  }
  // Keys 0..n-1 make a list, as they do through qs.
  return hasOwn.call(out, '0') ? (phpArrays(out) as Record<string, unknown>) : out;
}

export interface BodyLimits {
  /** Largest form or JSON body of an authenticated caller. */
  maxBodyBytes: number;
  /** Largest body of a caller without credentials: only public actions (login) can follow, and they are small. */
  anonymousBodyBytes: number;
  /** Largest whole multipart body, files included. */
  maxMultipartBytes: number;
  /** Largest single uploaded file. */
  maxFileBytes: number;
  /** Largest single non-file multipart field. */
  maxFieldBytes: number;
  maxFiles: number;
  /** Where uploads are streamed while the request runs (removed when the response ends). */
  tmpDir: string;
}

export const ACCEPTED_TYPES = 'application/x-www-form-urlencoded, multipart/form-data or application/json';

/**
 * The body parser of process.php, run only after the caller has been authenticated (see gate.ts): the caller's
 * standing is in `res.locals.authenticated`. Failures become the envelope's errors (`invalid_json`,
 * `payload_too_large`, `too_many_fields`, `unsupported_content_type` …), never an HTML page.
 */
export function bodyParsers(limits: BodyLimits) {
  const mk = (limit: number) => ({
    form: express.text({ type: 'application/x-www-form-urlencoded', limit }),
    json: express.json({ type: ['application/json', 'application/*+json'], limit, strict: false }),
  });
  const authed = mk(limits.maxBodyBytes);
  const anon = mk(limits.anonymousBodyBytes);

  return (req: Request, res: Response, next: NextFunction) => {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    const p = res.locals.authenticated ? authed : anon;
    const done = (err?: unknown) => {
      if (err) {
        const e = bodyError(err);
        // Without credentials only a small public call (login) can follow: more than that is not ours to read.
        if (!res.locals.authenticated && e.code === 'payload_too_large') {
          res.setHeader('Connection', 'close');
          return next(new AppError('unauthorized', 'A valid API key (Authorization: Bearer …) or a panel session is required.', 401));
        }
        return next(e);
      }
      try {
        if (typeof req.body === 'string') req.body = parseQuery(req.body);
      } catch (e) {
        return next(e);
      }
      if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
        if (Array.isArray(req.body)) return next(new AppError('invalid_json', 'The JSON body must be an object with an "action" field.', 400));
        req.body = {};
      }
      next();
    };
    if (type.startsWith('multipart/form-data')) {
      // The gate refuses multipart from callers without credentials before any byte is read; this is the backstop.
      if (!res.locals.authenticated) return next(new AppError('unauthorized', 'File uploads need a valid API key or panel session.', 401));
      parseMultipart(req, limits).then(
        ({ fields, files }) => {
          res.locals.files = files;
          // Removed as the answer is handed over (and on an aborted request), not left to pile up in tmp/.
          const cleanup = () => removeFiles(files);
          res.once('finish', cleanup);
          res.once('close', cleanup);
          req.body = fields;
          done();
        },
        (e) => {
          res.setHeader('Connection', 'close');
          next(e);
        },
      );
      return;
    }
    if (type.startsWith('application/x-www-form-urlencoded')) return p.form(req, res, done);
    if (/^application\/([\w.+-]+\+)?json/.test(type)) return p.json(req, res, done);
    if (type && hasBody(req)) return next(new AppError('unsupported_content_type', `A "${type.split(';')[0].slice(0, 64)}" body is not read; send ${ACCEPTED_TYPES}.`, 415));
    done();
  };
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function removeFiles(files: UploadedFile[]) {
  for (const f of files) {
    try {
      fs.rmSync(f.path, { force: true });
    } catch {
      // already gone
    }
  }
}

class ByteCap extends Transform {
  seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.seen += chunk.length;
    if (this.seen > this.max) return cb(payloadTooLarge(`The multipart body is larger than ${this.max} bytes.`));
    cb(null, chunk);
  }
}

function payloadTooLarge(message: string) {
  return new AppError('payload_too_large', message, 413);
}

/**
 * multipart/form-data, streamed: files go to disk as they arrive (never whole into memory), every text field is
 * capped at maxFieldBytes, and the whole body at maxMultipartBytes, counted on the wire so a missing or lying
 * Content-Length does not help.
 */
async function parseMultipart(req: Request, limits: BodyLimits): Promise<{ fields: Record<string, unknown>; files: UploadedFile[] }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limits.maxMultipartBytes) throw payloadTooLarge(`The multipart body is larger than ${limits.maxMultipartBytes} bytes.`);
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { fieldSize: limits.maxFieldBytes, fields: MAX_FIELDS, files: limits.maxFiles, fileSize: limits.maxFileBytes, parts: MAX_FIELDS + limits.maxFiles, fieldNameSize: 200 },
    });
  } catch {
    throw new AppError('invalid_body', 'The multipart body is malformed (no boundary).', 400);
  }
  await fs.promises.mkdir(limits.tmpDir, { recursive: true });
  const pairs: Array<[string, string]> = [];
  const files: UploadedFile[] = [];
  const writes: Promise<void>[] = [];
  let failure: unknown = null;
  const fail = (e: unknown) => {
    if (!failure) failure = e;
  };
  bb.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(payloadTooLarge(`The field "${name.slice(0, 64)}" is longer than ${limits.maxFieldBytes} bytes.`));
    else pairs.push([name, value]);
  });
  bb.on('file', (name, stream, info) => {
    const file: UploadedFile = makeUploadedFile(name, info.filename ?? '', info.mimeType, path.join(limits.tmpDir, `upload-${crypto.randomUUID()}`));
    files.push(file);
    stream.on('limit', () => fail(payloadTooLarge(`The file "${name.slice(0, 64)}" is larger than ${limits.maxFileBytes} bytes.`)));
    stream.on('data', (c: Buffer) => (file.size += c.length));
    writes.push(pipeline(stream, fs.createWriteStream(file.path)).catch(fail));
  });
  bb.on('fieldsLimit', () => fail(tooManyFields()));
  bb.on('partsLimit', () => fail(tooManyFields()));
  bb.on('filesLimit', () => fail(new AppError('invalid_upload', `At most ${limits.maxFiles} files per request.`, 400)));
  try {
    await new Promise<void>((resolve, reject) => {
      const cap = new ByteCap(limits.maxMultipartBytes);
      // On failure the rest of the body is left unread (the connection is closed after the answer), not drained.
      const stop = (e: unknown) => {
        req.unpipe(cap);
        cap.unpipe(bb);
        reject(e);
      };
      cap.on('error', stop);
      bb.on('error', () => stop(new AppError('invalid_body', 'The multipart body is malformed.', 400)));
      req.on('error', () => stop(new AppError('invalid_body', 'The request body was cut off.', 400)));
      bb.on('close', () => resolve());
      req.pipe(cap).pipe(bb);
    });
    await Promise.all(writes);
  } catch (e) {
    removeFiles(files);
    throw e instanceof AppError ? e : new AppError('invalid_body', 'The multipart body is malformed.', 400);
  }
  if (failure) {
    removeFiles(files);
    throw failure;
  }
  const fields = parseQuery(pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
  return { fields, files };
}

function makeUploadedFile(field: string, originalName: string, mimeType: string, filePath: string): UploadedFile {
  let cached: Buffer | undefined;
  return {
    field,
    originalName,
    mimeType,
    size: 0,
    path: filePath,
    // Read from disk only when a handler asks, after authentication and the permission check.
    get buffer() {
      return (cached ??= fs.readFileSync(filePath));
    },
  };
}

function bodyError(err: unknown): AppError {
  const e = err as { type?: string; code?: string; message?: string; status?: number };
  if (err instanceof AppError) return err;
  if (e.type === 'entity.parse.failed') return new AppError('invalid_json', 'The request body is not valid JSON.', 400);
  if (e.type === 'entity.too.large') return payloadTooLarge('The request body is larger than allowed.');
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return new AppError('invalid_encoding', 'Unsupported body encoding.', 415);
  return new AppError('invalid_body', 'The request body could not be read.', 400);
}
