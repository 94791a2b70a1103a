/**
 * A file answered as itself rather than inside the JSON envelope (a tenant's dump can be far larger than a reply
 * should be in memory): the gateway streams it with Content-Disposition: attachment. Like Page, a service returns
 * it and the gateway decides how it travels.
 */
export class Download {
  constructor(
    /** Absolute path on this server; never sent to the caller. */
    readonly path: string,
    readonly filename: string,
    readonly contentType: string,
    readonly size: number,
    /** Sent as X-Checksum-Sha256 so the caller can check what it received. */
    readonly sha256?: string,
  ) {}
}

/**
 * An RFC 6266 Content-Disposition for a stored name: an ASCII fallback in `filename` (quotes, backslashes, `%`,
 * `;` and non-ASCII replaced) and the exact UTF-8 name in `filename*`, so a Greek file name arrives intact.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_') || 'attachment';
  const utf8 = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
