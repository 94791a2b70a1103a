import { execFileSync } from 'node:child_process';

/**
 * Validates an OpenAPI document with @seriousme/openapi-schema-validator (the maintained OpenAPI 3.x meta-schema
 * validator). The package is ESM only and jest here runs CommonJS, so it runs in a child node process.
 */
export function validateOpenApi(doc: unknown): { valid: boolean; version?: string; errors?: unknown } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const c of process.stdin) input += c;
    const v = new Validator();
    const res = await v.validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ valid: res.valid, version: v.version, errors: res.errors }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(doc), cwd: process.cwd(), maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.toString());
}
