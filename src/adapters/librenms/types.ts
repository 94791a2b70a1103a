/** What every topology source gives back, before get_topology merges it with the routers and the inventory. */
export interface SourceDevice {
  /** The source's own id for the device. */
  key: string;
  name: string;
  ip: string | null;
  mac: string | null;
  type: string | null;
  status: 'up' | 'down' | 'warning' | 'unknown';
  lat: number | null;
  lng: number | null;
}

export interface SourceLink {
  a: string;
  /** The other end's key in the same source; null when the source knows only its name (not a device it monitors). */
  b: string | null;
  bName: string | null;
  aInterface: string | null;
  bInterface: string | null;
  speedBps: number | null;
  protocol: string | null;
}

export interface SourceSnapshot {
  version: string | null;
  devices: SourceDevice[];
  links: SourceLink[];
}

export interface SourceConfig {
  url: string;
  token: string | null;
  user: string | null;
  password: string | null;
  verifyTls: boolean;
  timeoutMs: number;
}
