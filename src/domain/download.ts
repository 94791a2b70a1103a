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
