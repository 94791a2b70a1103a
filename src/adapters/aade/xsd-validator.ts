import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { AppError } from '../../errors';

export type MyDataXsdVersion = '2.0.1' | '1.0.12';

/** Entry schema and every file it includes or imports, by version. */
const SCHEMA_SETS: Record<MyDataXsdVersion, { invoicesDoc: string; deps: string[] }> = {
  '2.0.1': {
    invoicesDoc: 'InvoicesDoc-v2.0.1.xsd',
    deps: ['incomeClassification-v2.0.1.xsd', 'expensesClassification-v2.0.1.xsd', 'TransportTypes-v2.0.1.xsd', 'SimpleTypes-v2.0.1.xsd'],
  },
  '1.0.12': {
    invoicesDoc: 'InvoicesDoc-v1.0.12.xsd',
    deps: ['incomeClassification-v1.0.12.xsd', 'expensesClassification-v1.0.12.xsd', 'SimpleTypes-v1.0.12.xsd'],
  },
};

/** The XSDs live next to this file in the source tree; a compiled build (dist/) still reads them from src/. */
export function xsdDir(version: MyDataXsdVersion): string {
  const candidates = [
    path.join(__dirname, 'xsd', `v${version}`),
    path.resolve(__dirname, '..', '..', '..', '..', 'src', 'adapters', 'aade', 'xsd', `v${version}`),
  ];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new AppError('mydata_xsd_missing', `The vendored myDATA XSDs v${version} were not found (looked in ${candidates.join(', ')}).`, 500);
  return found;
}

export function invoicesDocXsdPath(version: MyDataXsdVersion = '2.0.1'): string {
  return path.join(xsdDir(version), SCHEMA_SETS[version].invoicesDoc);
}

const cache = new Map<MyDataXsdVersion, { schema: { fileName: string; contents: string }; preload: { fileName: string; contents: string }[] }>();

function load(version: MyDataXsdVersion) {
  let entry = cache.get(version);
  if (!entry) {
    const dir = xsdDir(version);
    const set = SCHEMA_SETS[version];
    entry = {
      schema: { fileName: set.invoicesDoc, contents: readFileSync(path.join(dir, set.invoicesDoc), 'utf8') },
      preload: set.deps.map((f) => ({ fileName: f, contents: readFileSync(path.join(dir, f), 'utf8') })),
    };
    cache.set(version, entry);
  }
  return entry;
}

export interface XsdResult {
  valid: boolean;
  errors: string[];
}

/** Validates with libxml2 compiled to WebAssembly, in-process, so production needs no xmllint package. */
export async function validateInvoicesDoc(xml: string, version: MyDataXsdVersion = '2.0.1'): Promise<XsdResult> {
  const { schema, preload } = load(version);
  const result = await validateXML({ xml: [{ fileName: 'InvoicesDoc.xml', contents: xml }], schema: [schema], preload });
  return { valid: result.valid, errors: result.errors.map((e) => (e.loc ? `line ${e.loc.lineNumber}: ${e.message}` : e.message)) };
}

export async function assertValidInvoicesDoc(xml: string, version: MyDataXsdVersion = '2.0.1'): Promise<void> {
  const r = await validateInvoicesDoc(xml, version);
  if (!r.valid) {
    throw new AppError(
      'einvoice_xsd_invalid',
      `The generated InvoicesDoc does not validate against the myDATA XSD v${version}; nothing was sent. First error: ${r.errors[0] ?? 'unknown'}`,
      422,
      { extra: { xsd_errors: r.errors.slice(0, 20) } },
    );
  }
}
