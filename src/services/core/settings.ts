import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { nowUtc, parseJson } from '../../db/knex';
import { AppError } from '../../errors';
import type { UploadedFile } from '../context';

export async function getSettings(db: Knex, prefix: string): Promise<Record<string, unknown>> {
  const rows = await db('settings').where('key', 'like', `${prefix}.%`);
  const out: Record<string, unknown> = {};
  for (const r of rows) out[r.key.slice(prefix.length + 1)] = parseJson(r.value, null);
  return out;
}

/** Upserts each key under the prefix; the same statement works on SQLite and MariaDB. */
export async function putSettings(db: Knex, prefix: string, values: Record<string, unknown>): Promise<void> {
  const now = nowUtc();
  const rows = Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ key: `${prefix}.${k}`, value: JSON.stringify(v), updated_at: now }));
  if (rows.length) await db('settings').insert(rows).onConflict('key').merge(['value', 'updated_at']);
}

const IMAGE_TYPES: Array<{ ext: string; mime: string; test: (b: Buffer) => boolean }> = [
  { ext: 'png', mime: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { ext: 'jpg', mime: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { ext: 'gif', mime: 'image/gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { ext: 'webp', mime: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { ext: 'ico', mime: 'image/x-icon', test: (b) => b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0 },
];

/**
 * Stores an uploaded image under DATA_DIR/uploads/<tenant>/ and returns its public URL. The type is read
 * from the bytes, not the client's claim; SVG is refused because it can carry script.
 */
export async function storeImage(dataDir: string, tenantSlug: string, field: string, file: UploadedFile): Promise<string> {
  const type = IMAGE_TYPES.find((t) => t.test(file.buffer));
  if (!type) throw new AppError(`invalid_${field}`, `The ${field} must be a PNG, JPEG, GIF, WebP or ICO image.`, 422, { details: { [field]: 'unsupported image type' } });
  const name = `${field}-${crypto.createHash('sha256').update(file.buffer).digest('hex').slice(0, 16)}.${type.ext}`;
  const dir = path.join(dataDir, 'uploads', tenantSlug);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, name), file.buffer);
  return `/uploads/${tenantSlug}/${name}`;
}
