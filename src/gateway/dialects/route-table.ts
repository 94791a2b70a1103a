/**
 * One list of routes per dialect (ISPBills, SmartISP …): each route registers on the dialect's Express router and is
 * recorded with its summary and zod schemas, so the OpenAPI document (src/gateway/openapi.ts) is generated from the
 * very routes that answer, never written by hand. A route that answers but is missing from the document, or the
 * reverse, fails test/api/dialects/openapi.test.ts.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDef {
  method: HttpMethod;
  /** Express syntax, relative to the table's base path: `/tickets/:ticket`. */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Query parameters (an object schema; each key one parameter). */
  query?: z.ZodObject;
  /** Body fields (form or JSON), an object schema. */
  request?: z.ZodType;
  /** The success reply. */
  response?: z.ZodType;
  /** The success status when not 200 (201, 202; 204 has no body). */
  successStatus?: number;
  /** The success reply's media type when not JSON (a downloaded file: `text/plain`). */
  responseType?: string;
  /** Other documented replies by HTTP status: `{ 404: 'No such ticket' }`. */
  errors?: Record<number, string>;
  /** Routes answering without the table's credentials (none so far). */
  public?: boolean;
  handler: (req: Request, res: Response, next: NextFunction) => unknown;
}

export interface RouteTableInfo {
  /** The document's name: `/openapi/<name>.json`. */
  name: string;
  title: string;
  version: string;
  description?: string;
  /** Where the router is mounted: `/api/SmartIPS-v1`. */
  basePath: string;
  /** OpenAPI security schemes the routes use (all routes unless `public`). */
  securitySchemes?: Record<string, Record<string, unknown>>;
  /** The error reply every route may answer (its schema). */
  errorSchema?: z.ZodType;
}

export interface RouteTable {
  info: RouteTableInfo;
  router: Router;
  routes: RouteDef[];
  /** Registers the route on the router (after `before`, e.g. auth) and records it for the document. */
  define(def: RouteDef): RouteDef;
}

const tables = new Map<string, RouteTable>();

/**
 * A router and its route list. `before` runs ahead of every route defined on it (auth, rate limit); a table
 * defined again under the same name (a second app in the same process) replaces the recorded one.
 */
export function createRouteTable(info: RouteTableInfo, before: RequestHandler[] = []): RouteTable {
  const router = express.Router();
  const routes: RouteDef[] = [];
  const table: RouteTable = {
    info,
    router,
    routes,
    define(def) {
      if (routes.some((r) => r.method === def.method && r.path === def.path)) throw new Error(`Duplicate route ${def.method.toUpperCase()} ${def.path} in ${info.name}`);
      routes.push(def);
      const chain: RequestHandler[] = def.public ? [] : before;
      router[def.method](def.path, ...chain, (req, res, next) => Promise.resolve(def.handler(req, res, next)).catch(next));
      return def;
    },
  };
  tables.set(info.name, table);
  return table;
}

/** Shorthand: `defineRoute(table, {...})`. */
export function defineRoute(table: RouteTable, def: RouteDef): RouteDef {
  return table.define(def);
}

/** The table recorded under a name, if its router was built. */
export function routeTable(name: string): RouteTable | undefined {
  return tables.get(name);
}

export function routeTableNames(): string[] {
  return [...tables.keys()];
}

/** `/tickets/:ticket` → `/tickets/{ticket}` (OpenAPI path template), and the parameter names. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_$][A-Za-z0-9_$]*)/g, (_m, n: string) => {
    params.push(n);
    return `{${n}}`;
  });
  return { path, params };
}

/** What an Express router really answers: `GET /plans` … (read from its layer stack, for the contract test). */
export function expressRoutes(router: Router): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  for (const layer of (router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack) {
    if (!layer.route) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push({ method: m, path: layer.route.path });
  }
  return out;
}
