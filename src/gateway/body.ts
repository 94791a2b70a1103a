import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import qs from 'qs';
import { AppError } from '../errors';

/** PHP's http_build_query output, brackets and all: `permissions[customers]=read`, `ids[]=1&ids[]=2`, nesting. */
export const QS_OPTIONS: qs.IParseOptions = { depth: 10, arrayLimit: 0, parameterLimit: 10_000, allowPrototypes: false, allowDots: false };

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

export function parseQuery(s: string): Record<string, unknown> {
  return phpArrays(qs.parse(s, QS_OPTIONS)) as Record<string, unknown>;
}

/**
 * One body parser for the three encodings the contract's clients use. Failures become the envelope's
 * errors (`invalid_json`, `payload_too_large`, `invalid_upload`), never an HTML page.
 */
export function bodyParsers(opts: { maxUploadBytes: number }) {
  const form = express.text({ type: 'application/x-www-form-urlencoded', limit: '2mb' });
  const json = express.json({ type: ['application/json', 'application/*+json'], limit: '2mb', strict: false });
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: opts.maxUploadBytes, files: 5, fields: 500, fieldSize: 1024 * 1024, parts: 520 },
  }).any();

  return (req: Request, res: Response, next: NextFunction) => {
    const type = req.headers['content-type'] ?? '';
    const done = (err?: unknown) => {
      if (err) return next(bodyError(err));
      if (typeof req.body === 'string') req.body = parseQuery(req.body);
      if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
        if (Array.isArray(req.body)) return next(new AppError('invalid_json', 'The JSON body must be an object with an "action" field.', 400));
        req.body = {};
      }
      next();
    };
    if (type.startsWith('multipart/form-data')) return upload(req, res, done);
    if (type.startsWith('application/x-www-form-urlencoded')) return form(req, res, done);
    if (/^application\/([\w.+-]+\+)?json/.test(type)) return json(req, res, done);
    done();
  };
}

function bodyError(err: unknown): AppError {
  const e = err as { type?: string; code?: string; message?: string; status?: number };
  if (e.type === 'entity.parse.failed') return new AppError('invalid_json', 'The request body is not valid JSON.', 400);
  if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE' || e.code === 'LIMIT_FIELD_VALUE')
    return new AppError('payload_too_large', 'The request or one of its files is larger than allowed.', 413);
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) return new AppError('invalid_upload', `The upload breaks a limit: ${e.message}.`, 400);
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return new AppError('invalid_encoding', 'Unsupported body encoding.', 415);
  if (e.message?.includes('Multipart') || e.message?.includes('Unexpected end of form') || e.message?.includes('Boundary'))
    return new AppError('invalid_body', 'The multipart body is malformed.', 400);
  return new AppError('invalid_body', 'The request body could not be read.', 400);
}
