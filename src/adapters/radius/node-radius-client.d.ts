declare module 'node-radius-client' {
  interface ClientOptions {
    host: string;
    hostPort?: number;
    localPort?: number;
    timeout?: number;
    retries?: number;
    dictionaries?: string[];
  }
  interface RadiusResponse {
    code: string;
    identifier: number;
    attributes: Record<string, unknown>;
  }
  class Client {
    constructor(options: ClientOptions);
    accessRequest(info: { secret: string; attributes: [string, string | number | Buffer][] | Record<string, unknown> }): Promise<RadiusResponse>;
  }
  export = Client;
}
