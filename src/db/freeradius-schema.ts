/**
 * The FreeRADIUS 3 SQL tables, written once: the column names, types, defaults and keys of FreeRADIUS 3.2's
 * mods-config/sql/main/mysql/schema.sql, so a stock rlm_sql (queries.conf unchanged) reads and writes them on
 * either database. `freeradiusDdl()` renders this one definition for MariaDB (exactly that schema: prefix
 * indexes, timestamp(6), unsigned ids) and for SQLite (the same columns in SQLite's types).
 */
export interface RadColumn {
  name: string;
  /** The MariaDB type as FreeRADIUS writes it: varchar(64), int(11) unsigned, bigint(21), datetime, timestamp(6), char(2). */
  type: string;
  notNull?: boolean;
  /** A literal default ('' , 'other', 1) or null for DEFAULT NULL; `now` is CURRENT_TIMESTAMP(6) (updated on every write on MariaDB). */
  default?: string | number | null | { now: true };
  autoIncrement?: boolean;
}

export interface RadTable {
  name: string;
  columns: RadColumn[];
  primary: string;
  unique?: string[];
  /** Indexed columns, with the prefix length MariaDB uses for the attribute tables. */
  keys: { column: string; prefix?: number }[];
}

const ATTRIBUTE_TABLES: Array<[string, 'username' | 'groupname', string]> = [
  ['radcheck', 'username', '=='],
  ['radgroupcheck', 'groupname', '=='],
  ['radgroupreply', 'groupname', '='],
  ['radreply', 'username', '='],
];

const v = (name: string, len: number, extra: Partial<RadColumn> = {}): RadColumn => ({ name, type: `varchar(${len})`, ...extra });
const req = { notNull: true, default: '' } as const;

export const FREERADIUS_TABLES: RadTable[] = [
  {
    name: 'radacct',
    columns: [
      { name: 'radacctid', type: 'bigint(21)', notNull: true, autoIncrement: true },
      v('acctsessionid', 64, req), v('acctuniqueid', 32, req), v('username', 64, req), v('realm', 64, { default: '' }),
      v('nasipaddress', 15, req), v('nasportid', 32, { default: null }), v('nasporttype', 32, { default: null }),
      { name: 'acctstarttime', type: 'datetime', default: null }, { name: 'acctupdatetime', type: 'datetime', default: null },
      { name: 'acctstoptime', type: 'datetime', default: null }, { name: 'acctinterval', type: 'int(12)', default: null },
      { name: 'acctsessiontime', type: 'int(12) unsigned', default: null }, v('acctauthentic', 32, { default: null }),
      v('connectinfo_start', 128, { default: null }), v('connectinfo_stop', 128, { default: null }),
      { name: 'acctinputoctets', type: 'bigint(20)', default: null }, { name: 'acctoutputoctets', type: 'bigint(20)', default: null },
      v('calledstationid', 50, req), v('callingstationid', 50, req), v('acctterminatecause', 32, req),
      v('servicetype', 32, { default: null }), v('framedprotocol', 32, { default: null }), v('framedipaddress', 15, req),
      v('framedipv6address', 45, req), v('framedipv6prefix', 45, req), v('framedinterfaceid', 44, req), v('delegatedipv6prefix', 45, req),
      v('class', 64, { default: null }),
    ],
    primary: 'radacctid',
    unique: ['acctuniqueid'],
    keys: ['username', 'framedipaddress', 'framedipv6address', 'framedipv6prefix', 'framedinterfaceid', 'delegatedipv6prefix', 'acctsessionid',
      'acctsessiontime', 'acctstarttime', 'acctinterval', 'acctstoptime', 'nasipaddress', 'class'].map((column) => ({ column })),
  },
  ...ATTRIBUTE_TABLES.map(([name, key, op]): RadTable => ({
    name,
    columns: [
      { name: 'id', type: 'int(11) unsigned', notNull: true, autoIncrement: true },
      v(key, 64, req), v('attribute', 64, req), { name: 'op', type: 'char(2)', notNull: true, default: op }, v('value', 253, req),
    ],
    primary: 'id',
    keys: [{ column: key, prefix: 32 }],
  })),
  {
    name: 'radusergroup',
    columns: [
      { name: 'id', type: 'int(11) unsigned', notNull: true, autoIncrement: true },
      v('username', 64, req), v('groupname', 64, req), { name: 'priority', type: 'int(11)', notNull: true, default: 1 },
    ],
    primary: 'id',
    keys: [{ column: 'username', prefix: 32 }],
  },
  {
    name: 'radpostauth',
    columns: [
      { name: 'id', type: 'int(11)', notNull: true, autoIncrement: true },
      v('username', 64, req), v('pass', 64, req), v('reply', 32, req),
      { name: 'authdate', type: 'timestamp(6)', notNull: true, default: { now: true } }, v('class', 64, { default: null }),
    ],
    primary: 'id',
    keys: [{ column: 'username' }, { column: 'class' }],
  },
  {
    name: 'nas',
    columns: [
      { name: 'id', type: 'int(10)', notNull: true, autoIncrement: true },
      v('nasname', 128, { notNull: true }), v('shortname', 32), v('type', 30, { default: 'other' }), { name: 'ports', type: 'int(5)' },
      v('secret', 60, { notNull: true, default: 'secret' }), v('server', 64), v('community', 50), v('description', 200, { default: 'RADIUS Client' }),
    ],
    primary: 'id',
    keys: [{ column: 'nasname' }],
  },
  {
    name: 'nasreload',
    columns: [v('nasipaddress', 15, { notNull: true }), { name: 'reloadtime', type: 'datetime', notNull: true }],
    primary: 'nasipaddress',
    keys: [],
  },
];

const lit = (d: string | number) => (typeof d === 'number' ? `'${d}'` : `'${d.replace(/'/g, "''")}'`);

function mysqlColumn(c: RadColumn): string {
  let s = `${c.name} ${c.type}`;
  if (c.notNull) s += ' NOT NULL';
  if (c.autoIncrement) return `${s} auto_increment`;
  if (c.default === null) s += ' default NULL';
  else if (typeof c.default === 'object') s += ' DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)';
  else if (c.default !== undefined) s += ` default ${lit(c.default)}`;
  return s;
}

function sqliteType(type: string): string {
  if (/^(var)?char\(/.test(type)) return type.replace(/^char/, 'varchar');
  if (/^int/.test(type)) return 'integer';
  if (/^bigint/.test(type)) return 'bigint';
  return 'datetime';
}

function sqliteColumn(c: RadColumn, primary: boolean): string {
  if (c.autoIncrement) return `${c.name} integer not null primary key autoincrement`;
  let s = `${c.name} ${sqliteType(c.type)}`;
  if (c.notNull) s += ' not null';
  if (primary) s += ' primary key';
  if (c.default === null) return s; // SQLite's implicit default
  if (typeof c.default === 'object') s += ' default CURRENT_TIMESTAMP';
  else if (c.default !== undefined) s += ` default ${lit(c.default)}`;
  return s;
}

/** The statements that create the FreeRADIUS tables on the dialect, from the one definition above. */
export function freeradiusDdl(dialect: 'mysql' | 'sqlite'): string[] {
  const out: string[] = [];
  for (const t of FREERADIUS_TABLES) {
    if (dialect === 'mysql') {
      const parts = t.columns.map(mysqlColumn);
      parts.push(`PRIMARY KEY (${t.primary})`);
      for (const u of t.unique ?? []) parts.push(`UNIQUE KEY ${u} (${u})`);
      for (const k of t.keys) parts.push(`KEY ${k.column} (${k.column}${k.prefix ? `(${k.prefix})` : ''})`);
      out.push(`CREATE TABLE ${t.name} (\n  ${parts.join(',\n  ')}\n) ENGINE = INNODB`);
    } else {
      const parts = t.columns.map((c) => sqliteColumn(c, c.name === t.primary && !c.autoIncrement));
      out.push(`CREATE TABLE ${t.name} (${parts.join(', ')})`);
      // The names the schema builder gave them, so databases made before and after this definition agree.
      for (const u of t.unique ?? []) out.push(`CREATE UNIQUE INDEX ${t.name}_${u}_unique ON ${t.name} (${u})`);
      for (const k of t.keys) out.push(`CREATE INDEX ${t.name}_${k.column}_index ON ${t.name} (${k.column})`);
    }
  }
  return out;
}
