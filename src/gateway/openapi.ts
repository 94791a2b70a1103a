/**
 * OpenAPI 3.1 documents, generated — never written by hand — from what answers:
 * - `veloxiom`: process.php, from the action registry. Every action shares one path, so the document has one
 *   operation `POST /mikrotik/process.php` whose request body is a `oneOf` of every action's JSON Schema, each
 *   branch with `action: {const: "<name>"}` and a discriminator on `action`; `x-actions` lists the actions with
 *   their section, permission, rate class and methods.
 * - a dialect (`smartisp`, `ispbills`): from its route table (src/gateway/dialects/route-table.ts).
 * Served at `GET /openapi/<name>.json`.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import type { Runtime } from '../runtime';
import type { AnyAction } from './action';
import { expressRoutes, openApiPath, routeTable, type RouteTable } from './dialects/route-table';
import { sendError } from './envelope';
import type { GateResult } from './pipeline';
import type { ActionRegistry } from './registry';

type Json = Record<string, unknown>;

export const OPENAPI_VERSION = '3.1.0';

/** A zod schema as a JSON Schema fit for an OpenAPI 3.1 document (its dialect is the document's: no `$schema`). */
export function toSchema(s: z.ZodType | undefined, io: 'input' | 'output' = 'input'): Json {
  if (!s) return { type: 'object' };
  let out: Json;
  try {
    out = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  } catch {
    out = { type: 'object' };
  }
  delete out.$schema;
  return out;
}

const okEnvelope = { type: 'object', required: ['ok', 'data'], properties: { ok: { const: true }, data: {}, meta: { type: 'object' } } };
const errorEnvelope = {
  type: 'object',
  required: ['ok', 'error', 'message'],
  properties: { ok: { const: false }, error: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' }, message: { type: 'string' }, details: {}, request_id: { type: 'string' } },
};

function actionBranch(a: AnyAction): Json {
  const s = toSchema(a.input);
  const actionProp = { const: a.name, description: a.summary };
  if (s.type === 'object' && !s.allOf && !s.oneOf && !s.anyOf) {
    return {
      ...s,
      title: a.name,
      properties: { action: actionProp, ...((s.properties as Json) ?? {}) },
      required: ['action', ...(((s.required as string[]) ?? []).filter((k) => k !== 'action'))],
    };
  }
  return { title: a.name, allOf: [s, { type: 'object', required: ['action'], properties: { action: actionProp } }] };
}

/** process.php as OpenAPI 3.1: one operation, the body a oneOf of every action discriminated by `action`. */
export function processPhpDocument(registry: ActionRegistry): Json {
  const actions = registry.list().slice().sort((x, y) => x.name.localeCompare(y.name));
  const schemas: Json = { Ok: okEnvelope, Error: errorEnvelope };
  const mapping: Record<string, string> = {};
  for (const a of actions) {
    schemas[`action_${a.name}`] = actionBranch(a);
    mapping[a.name] = `#/components/schemas/action_${a.name}`;
  }
  const body = { oneOf: actions.map((a) => ({ $ref: mapping[a.name] })), discriminator: { propertyName: 'action', mapping } };
  const reply = (d: string, ref: string) => ({ description: d, content: { 'application/json': { schema: { $ref: ref } } } });
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'ispgate process.php (Veloxiom API)',
      version: '1',
      description:
        'Every action is POSTed to one path with an `action` field (form-encoded, JSON or multipart). The request body is a oneOf ' +
        'of the actions, each branch the action\'s own JSON Schema with `action` fixed; `x-actions` lists them. Read actions also ' +
        'answer GET with query parameters. Errors answer HTTP 200 unless HTTP_ERRORS=strict (401, 429, 500 and 503 always keep theirs).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/mikrotik/process.php': {
        post: {
          operationId: 'process',
          summary: 'Run one action',
          requestBody: {
            required: true,
            content: { 'application/x-www-form-urlencoded': { schema: body }, 'application/json': { schema: body }, 'multipart/form-data': { schema: body } },
          },
          responses: { '200': reply('The action\'s result, or an error envelope', '#/components/schemas/Ok'), default: reply('An error', '#/components/schemas/Error') },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (api_key_create or the CLI).' },
        session: { type: 'apiKey', in: 'cookie', name: 'ispgate_session', description: 'A panel session from action=login; writes need X-CSRF-Token.' },
      },
    },
    'x-actions': actions.map((a) => ({ action: a.name, section: a.section, summary: a.summary, permission: a.permission, rate_class: a.rateClass, methods: a.methods ?? ['POST'] })),
  };
}

/** A dialect's document from its route table. */
export function dialectDocument(table: RouteTable): Json {
  const { info } = table;
  const paths: Record<string, Json> = {};
  const security = Object.keys(info.securitySchemes ?? {}).map((k) => ({ [k]: [] }));
  const errorRef = { $ref: '#/components/schemas/Error' };
  for (const r of table.routes) {
    const { path, params } = openApiPath(info.basePath + r.path);
    const parameters: Json[] = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', maxLength: 191 } }));
    if (r.query) {
      const q = toSchema(r.query);
      const req = new Set((q.required as string[]) ?? []);
      for (const [name, schema] of Object.entries((q.properties as Json) ?? {})) parameters.push({ name, in: 'query', required: req.has(name), schema });
    }
    const okStatus = String(r.successStatus ?? 200);
    const responses: Json = {
      [okStatus]:
        okStatus === '204'
          ? { description: 'No content' }
          : r.responseType
            ? { description: 'Success', content: { [r.responseType]: { schema: { type: 'string' } } } }
            : { description: 'Success', content: { 'application/json': { schema: toSchema(r.response, 'output') } } },
    };
    for (const [status, description] of Object.entries(r.errors ?? {})) responses[status] = { description, content: { 'application/json': { schema: errorRef } } };
    if (!r.public && security.length && !responses['401']) responses['401'] = { description: 'Missing or invalid credentials', content: { 'application/json': { schema: errorRef } } };
    const op: Json = {
      operationId: `${r.method}_${r.path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      ...(r.tags ? { tags: r.tags } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.request
        ? { requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: toSchema(r.request) }, 'application/json': { schema: toSchema(r.request) } } } }
        : {}),
      responses,
      ...(r.public ? { security: [] } : {}),
    };
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: OPENAPI_VERSION,
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    servers: [{ url: '/' }],
    ...(security.length ? { security } : {}),
    paths,
    components: {
      schemas: { Error: toSchema(info.errorSchema, 'output') },
      ...(info.securitySchemes ? { securitySchemes: info.securitySchemes } : {}),
    },
  };
}

export const OPENAPI_NAMES = ['veloxiom', 'ispbills', 'smartisp'] as const;

/** The document by name, or null when that door is not built in this server. */
export function openApiDocument(rt: Pick<Runtime, 'registry'>, name: string): Json | null {
  if (name === 'veloxiom') return processPhpDocument(rt.registry);
  const table = routeTable(name);
  return table ? dialectDocument(table) : null;
}

/**
 * `GET /openapi/:name.json`, behind the process.php gate (which only reads the credentials). The process.php
 * document tells what `action=describe` tells, so it needs what describe needs: an API key or a panel session. The
 * dialect documents describe the vendors' public APIs and are public.
 */
export function openApiHandler(rt: Runtime) {
  const cache = new Map<string, string>();
  return (req: Request, res: Response) => {
    const name = String(req.params.name ?? '');
    if (name === 'veloxiom') {
      const g = res.locals.gate as GateResult | undefined;
      if (!g?.caller) {
        sendError(res, g?.authError ?? new AppError('unauthorized', 'The process.php document needs an API key (Authorization: Bearer …) or a panel session, as action=describe does.', 401), true);
        return;
      }
    }
    let body = cache.get(name);
    if (body === undefined) {
      const doc = (OPENAPI_NAMES as readonly string[]).includes(name) ? openApiDocument(rt, name) : null;
      if (!doc) {
        sendError(res, new AppError('not_found', `No OpenAPI document "${name.slice(0, 40)}"; there are ${OPENAPI_NAMES.map((n) => `/openapi/${n}.json`).join(', ')}.`, 404), true);
        return;
      }
      body = JSON.stringify(doc);
      cache.set(name, body);
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(body);
  };
}

/**
 * What a dialect's router answers and what its document says, compared: `missing` are routes the router answers
 * that the document lacks, `extra` operations the document has that no route answers. Both empty when they agree.
 */
export function routeDocumentDiff(table: RouteTable, doc: Json): { missing: string[]; extra: string[] } {
  const answered = new Set(expressRoutes(table.router).map((r) => `${r.method.toUpperCase()} ${openApiPath(table.info.basePath + r.path).path}`));
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries((doc.paths as Record<string, Json>) ?? {}))
    for (const m of Object.keys(ops)) if (['get', 'post', 'put', 'patch', 'delete'].includes(m)) documented.add(`${m.toUpperCase()} ${path}`);
  return { missing: [...answered].filter((x) => !documented.has(x)).sort(), extra: [...documented].filter((x) => !answered.has(x)).sort() };
}
