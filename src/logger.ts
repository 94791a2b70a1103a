import winston from 'winston';
import { Writable } from 'node:stream';

/** Keys whose values never reach a log line, at any depth (hashes and ciphertexts too: a logged row must not carry them). */
const SECRET_KEY = /^(authorization|cookie|set-cookie|x-csrf-token|pass|password|new_password|current_password|code|otp|totp_secret|secret|key|api_key|token|csrf_token|recovery_codes|hash|.*_secret|.*_password|.*_key|.*_token|.*_hash|.*_enc)$/i;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/g;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]';
  if (typeof value === 'string') return value.replace(BEARER, 'Bearer [redacted]');
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

const redactFormat = winston.format((info) => {
  for (const k of Object.keys(info)) {
    if (k === 'level' || k === 'message') continue;
    (info as Record<string, unknown>)[k] = SECRET_KEY.test(k) ? '[redacted]' : redact((info as Record<string, unknown>)[k]);
  }
  if (typeof info.message === 'string') info.message = info.message.replace(BEARER, 'Bearer [redacted]');
  return info;
});

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  json: boolean;
  /** Extra sink (tests capture every line here to prove nothing secret is written). */
  sink?: (line: string) => void;
  stderr?: boolean;
}

export function createLogger(opts: LoggerOptions): Logger {
  const format = opts.json
    ? winston.format.combine(winston.format.timestamp(), redactFormat(), winston.format.errors({ stack: true }), winston.format.json())
    : winston.format.combine(
        winston.format.timestamp(),
        redactFormat(),
        winston.format.errors({ stack: true }),
        winston.format.printf(({ timestamp, level, message, stack, ...rest }) => {
          const meta = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
          return `${timestamp} ${level} ${message}${meta}${stack ? '\n' + stack : ''}`;
        }),
      );
  const transports: winston.transport[] = [];
  const silent = opts.level === 'silent';
  if (!silent) {
    transports.push(new winston.transports.Console({ stderrLevels: opts.stderr ? Object.keys(winston.config.npm.levels) : ['error'] }));
  }
  if (opts.sink) {
    const sink = opts.sink;
    const stream = new Writable({
      write(chunk, _enc, done) {
        sink(String(chunk).replace(/\n$/, ''));
        done();
      },
    });
    transports.push(new winston.transports.Stream({ stream }));
  }
  if (transports.length === 0) transports.push(new winston.transports.Console({ silent: true }));
  return winston.createLogger({ level: silent ? 'debug' : opts.level, format, transports });
}
