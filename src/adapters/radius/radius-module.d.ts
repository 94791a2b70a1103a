// The `radius` package (1.1.4) ships no typings; only what ispgate calls is declared.
declare module 'radius' {
  type Attr = [string, ...unknown[]];
  interface Decoded {
    code: string;
    identifier: number;
    length: number;
    authenticator: Buffer;
    attributes: Record<string, any>;
    raw_attributes: unknown[];
  }
  function encode(args: {
    code: string;
    secret: string;
    identifier?: number;
    authenticator?: Buffer;
    attributes?: Attr[] | Record<string, unknown>;
    add_message_authenticator?: boolean;
  }): Buffer;
  function decode(args: { packet: Buffer; secret: string }): Decoded;
  function decode_without_secret(args: { packet: Buffer }): Decoded;
  function encode_response(args: { packet: Decoded; code: string; secret: string; attributes?: Attr[] }): Buffer;
  function verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
  function add_dictionary(path: string): void;
  function load_dictionaries(): void;
  function _load_dictionary(content: string): string[];
  const InvalidSecretError: new (...a: unknown[]) => Error;
}
