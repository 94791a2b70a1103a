/**
 * A small JSON-over-HTTP(S) client for the monitoring sources (LibreNMS, Observium, Zabbix): a timeout, TLS
 * verification that can be switched off per source (self-signed monitoring servers are common), a bounded body,
 * and the two failures the API reports: source_unreachable and source_auth_failed.
 */
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../../errors';

export interface HttpOpts {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  verifyTls: boolean;
  timeoutMs: number;
}

export interface HttpReply {
  status: number;
  json: unknown;
  text: string;
}

const MAX_BODY = 32 * 1024 * 1024;

export const unreachable = (what: string, why: string) =>
  new AppError('source_unreachable', `${what} could not be reached: ${why}. Check the URL, the network and TLS verification.`, 502);
export const authFailed = (what: string, why: string) =>
  new AppError('source_auth_failed', `${what} refused the credentials: ${why}.`, 502);

export function httpJson(what: string, url: string, o: HttpOpts): Promise<HttpReply> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(unreachable(what, 'the URL is not valid'));
  }
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: o.method ?? 'GET',
        headers: { accept: 'application/json', ...(o.body ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
        rejectUnauthorized: o.verifyTls,
        timeout: o.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            req.destroy(new Error('reply too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
        res.on('error', (e) => reject(unreachable(what, e.message)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(unreachable(what, e.code ? `${e.code} ${e.message}` : e.message)));
    if (o.body) req.write(o.body);
    req.end();
  });
}

/** Joins a base URL and a path without doubling or losing slashes. */
export const joinUrl = (base: string, path: string) => base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
