/**
 * The panel's only way to the server: POST /mikrotik/process.php with the session cookie (HttpOnly, set by
 * `login`) and the CSRF token `login` returned, sent as X-CSRF-Token — exactly what any panel client does.
 * Inputs are typed from the registry (actions.gen.ts), so a renamed field is a compile error here.
 */
import type { ActionInputs, ActionName } from './actions.gen';

export const API = '/mikrotik/process.php';
const CSRF_KEY = 'ispgate.csrf';

export class ApiError extends Error {
  constructor(
    public code: string,
    message: string,
    public status: number,
    public details?: Record<string, string>,
  ) {
    super(message);
  }
}

export function csrfToken(): string {
  return sessionStorage.getItem(CSRF_KEY) ?? '';
}
export function setCsrfToken(token: string | null) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

/** PHP bracket syntax (what the API parses): lines[0][description]=…, events[]=… */
function append(body: URLSearchParams, key: string, value: unknown) {
  if (value === undefined) return;
  if (value === null) return body.append(key, '');
  if (Array.isArray(value)) return value.forEach((v, i) => append(body, `${key}[${typeof v === 'object' && v !== null ? i : ''}]`, v));
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).forEach(([k, v]) => append(body, `${key}[${k}]`, v));
  body.append(key, String(value));
}

export interface Envelope<T> {
  data: T;
  meta?: { current_page: number; per_page: number; total: number; last_page: number };
}

async function send(action: string, params: Record<string, unknown> | FormData): Promise<Response> {
  let body: URLSearchParams | FormData;
  if (params instanceof FormData) {
    params.set('action', action);
    body = params;
  } else {
    body = new URLSearchParams({ action });
    for (const [k, v] of Object.entries(params)) append(body, k, v);
  }
  const token = csrfToken();
  return fetch(API, { method: 'POST', credentials: 'same-origin', headers: token ? { 'X-CSRF-Token': token } : {}, body });
}

/** Calls one action; resolves to `{ data, meta }` or throws ApiError with the API's code and message. */
export async function call<A extends ActionName>(action: A, params?: ActionInputs[A] | FormData): Promise<Envelope<any>> {
  return callAny(action, (params ?? {}) as Record<string, unknown>);
}

/** For actions that may not exist in this build's registry (screens hidden by `describe` until they land). */
export async function callAny(action: string, params: Record<string, unknown> | FormData = {}): Promise<Envelope<any>> {
  let res: Response;
  try {
    res = await send(action, params);
  } catch {
    throw new ApiError('network_error', 'The server cannot be reached.', 0);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) {
    if (!res.ok) throw new ApiError('http_error', `The server answered ${res.status}.`, res.status);
    return { data: await res.blob() };
  }
  const json = await res.json();
  if (!json.ok) throw new ApiError(json.error ?? 'error', json.message ?? json.error ?? 'Error', res.status, json.details);
  return { data: json.data, meta: json.meta };
}

/** Downloads what an action answers (a PDF, a config file) as a file. */
export async function download(action: string, params: Record<string, unknown>, fallbackName: string) {
  const res = await send(action, params);
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const json = await res.json();
    if (!json.ok) throw new ApiError(json.error, json.message, res.status, json.details);
    // Some actions answer base64 content inside JSON.
    const d = json.data ?? {};
    const b64 = d.pdf_base64 ?? d.content_base64 ?? d.base64;
    const text = d.config ?? d.content;
    const blob = b64
      ? new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: d.content_type ?? 'application/octet-stream' })
      : new Blob([typeof text === 'string' ? text : JSON.stringify(d, null, 2)], { type: 'text/plain' });
    return save(blob, d.filename ?? fallbackName);
  }
  if (!res.ok) throw new ApiError('http_error', `The server answered ${res.status}.`, res.status);
  const cd = res.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(cd)?.[1] ?? fallbackName;
  return save(await res.blob(), name);
}

function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Form field names checked against an action's input: `const f = fieldsOf('add_plan'); <TextInput source={f('download')} />`.
 * A field the API renames or drops is a compile error in the panel build.
 */
export function fieldsOf<A extends ActionName>(_action: A) {
  return (name: Extract<keyof ActionInputs[A], string>) => name;
}
