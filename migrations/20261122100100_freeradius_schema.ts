import type { Knex } from 'knex';

/**
 * The FreeRADIUS 3 SQL tables, with the column names, types and indexes of FreeRADIUS 3.2's
 * mods-config/sql/main/mysql/schema.sql, so a stock rlm_sql (queries.conf unchanged) reads and writes them.
 * On MariaDB the DDL is written out to match that schema exactly (prefix indexes, timestamp(6), unsigned
 * ids); SQLite gets the same columns through the schema builder, for tests and single-box installs.
 */
const ATTRIBUTE_TABLES: Array<[string, 'username' | 'groupname', string]> = [
  ['radcheck', 'username', '=='],
  ['radgroupcheck', 'groupname', '=='],
  ['radgroupreply', 'groupname', '='],
  ['radreply', 'username', '='],
];

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2' || knex.client.config.client === 'mysql') {
    await knex.raw(`CREATE TABLE radacct (
      radacctid bigint(21) NOT NULL auto_increment,
      acctsessionid varchar(64) NOT NULL default '',
      acctuniqueid varchar(32) NOT NULL default '',
      username varchar(64) NOT NULL default '',
      realm varchar(64) default '',
      nasipaddress varchar(15) NOT NULL default '',
      nasportid varchar(32) default NULL,
      nasporttype varchar(32) default NULL,
      acctstarttime datetime NULL default NULL,
      acctupdatetime datetime NULL default NULL,
      acctstoptime datetime NULL default NULL,
      acctinterval int(12) default NULL,
      acctsessiontime int(12) unsigned default NULL,
      acctauthentic varchar(32) default NULL,
      connectinfo_start varchar(128) default NULL,
      connectinfo_stop varchar(128) default NULL,
      acctinputoctets bigint(20) default NULL,
      acctoutputoctets bigint(20) default NULL,
      calledstationid varchar(50) NOT NULL default '',
      callingstationid varchar(50) NOT NULL default '',
      acctterminatecause varchar(32) NOT NULL default '',
      servicetype varchar(32) default NULL,
      framedprotocol varchar(32) default NULL,
      framedipaddress varchar(15) NOT NULL default '',
      framedipv6address varchar(45) NOT NULL default '',
      framedipv6prefix varchar(45) NOT NULL default '',
      framedinterfaceid varchar(44) NOT NULL default '',
      delegatedipv6prefix varchar(45) NOT NULL default '',
      class varchar(64) default NULL,
      PRIMARY KEY (radacctid),
      UNIQUE KEY acctuniqueid (acctuniqueid),
      KEY username (username),
      KEY framedipaddress (framedipaddress),
      KEY framedipv6address (framedipv6address),
      KEY framedipv6prefix (framedipv6prefix),
      KEY framedinterfaceid (framedinterfaceid),
      KEY delegatedipv6prefix (delegatedipv6prefix),
      KEY acctsessionid (acctsessionid),
      KEY acctsessiontime (acctsessiontime),
      KEY acctstarttime (acctstarttime),
      KEY acctinterval (acctinterval),
      KEY acctstoptime (acctstoptime),
      KEY nasipaddress (nasipaddress),
      KEY class (class)
    ) ENGINE = INNODB`);
    for (const [table, key, op] of ATTRIBUTE_TABLES) {
      await knex.raw(`CREATE TABLE ${table} (
        id int(11) unsigned NOT NULL auto_increment,
        ${key} varchar(64) NOT NULL default '',
        attribute varchar(64) NOT NULL default '',
        op char(2) NOT NULL DEFAULT '${op}',
        value varchar(253) NOT NULL default '',
        PRIMARY KEY (id),
        KEY ${key} (${key}(32))
      )`);
    }
    await knex.raw(`CREATE TABLE radusergroup (
      id int(11) unsigned NOT NULL auto_increment,
      username varchar(64) NOT NULL default '',
      groupname varchar(64) NOT NULL default '',
      priority int(11) NOT NULL default '1',
      PRIMARY KEY (id),
      KEY username (username(32))
    )`);
    await knex.raw(`CREATE TABLE radpostauth (
      id int(11) NOT NULL auto_increment,
      username varchar(64) NOT NULL default '',
      pass varchar(64) NOT NULL default '',
      reply varchar(32) NOT NULL default '',
      authdate timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
      class varchar(64) default NULL,
      PRIMARY KEY (id),
      KEY username (username),
      KEY class (class)
    ) ENGINE = INNODB`);
    await knex.raw(`CREATE TABLE nas (
      id int(10) NOT NULL auto_increment,
      nasname varchar(128) NOT NULL,
      shortname varchar(32),
      type varchar(30) DEFAULT 'other',
      ports int(5),
      secret varchar(60) DEFAULT 'secret' NOT NULL,
      server varchar(64),
      community varchar(50),
      description varchar(200) DEFAULT 'RADIUS Client',
      PRIMARY KEY (id),
      KEY nasname (nasname)
    ) ENGINE = INNODB`);
    await knex.raw(`CREATE TABLE nasreload (
      nasipaddress varchar(15) NOT NULL,
      reloadtime datetime NOT NULL,
      PRIMARY KEY (nasipaddress)
    ) ENGINE = INNODB`);
    return;
  }

  await knex.schema.createTable('radacct', (t) => {
    t.bigIncrements('radacctid');
    t.string('acctsessionid', 64).notNullable().defaultTo('');
    t.string('acctuniqueid', 32).notNullable().defaultTo('').unique();
    t.string('username', 64).notNullable().defaultTo('');
    t.string('realm', 64).defaultTo('');
    t.string('nasipaddress', 15).notNullable().defaultTo('');
    t.string('nasportid', 32).nullable();
    t.string('nasporttype', 32).nullable();
    t.dateTime('acctstarttime').nullable();
    t.dateTime('acctupdatetime').nullable();
    t.dateTime('acctstoptime').nullable();
    t.integer('acctinterval').nullable();
    t.integer('acctsessiontime').unsigned().nullable();
    t.string('acctauthentic', 32).nullable();
    t.string('connectinfo_start', 128).nullable();
    t.string('connectinfo_stop', 128).nullable();
    t.bigInteger('acctinputoctets').nullable();
    t.bigInteger('acctoutputoctets').nullable();
    t.string('calledstationid', 50).notNullable().defaultTo('');
    t.string('callingstationid', 50).notNullable().defaultTo('');
    t.string('acctterminatecause', 32).notNullable().defaultTo('');
    t.string('servicetype', 32).nullable();
    t.string('framedprotocol', 32).nullable();
    t.string('framedipaddress', 15).notNullable().defaultTo('');
    t.string('framedipv6address', 45).notNullable().defaultTo('');
    t.string('framedipv6prefix', 45).notNullable().defaultTo('');
    t.string('framedinterfaceid', 44).notNullable().defaultTo('');
    t.string('delegatedipv6prefix', 45).notNullable().defaultTo('');
    t.string('class', 64).nullable();
    for (const c of ['username', 'framedipaddress', 'acctsessionid', 'acctstarttime', 'acctstoptime', 'nasipaddress']) t.index([c]);
  });
  for (const [table, key, op] of ATTRIBUTE_TABLES) {
    await knex.schema.createTable(table, (t) => {
      t.increments('id');
      t.string(key, 64).notNullable().defaultTo('');
      t.string('attribute', 64).notNullable().defaultTo('');
      t.string('op', 2).notNullable().defaultTo(op);
      t.string('value', 253).notNullable().defaultTo('');
      t.index([key]);
    });
  }
  await knex.schema.createTable('radusergroup', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().defaultTo('');
    t.string('groupname', 64).notNullable().defaultTo('');
    t.integer('priority').notNullable().defaultTo(1);
    t.index(['username']);
  });
  await knex.schema.createTable('radpostauth', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().defaultTo('');
    t.string('pass', 64).notNullable().defaultTo('');
    t.string('reply', 32).notNullable().defaultTo('');
    t.timestamp('authdate', { precision: 6 }).notNullable().defaultTo(knex.fn.now());
    t.string('class', 64).nullable();
    t.index(['username']);
  });
  await knex.schema.createTable('nas', (t) => {
    t.increments('id');
    t.string('nasname', 128).notNullable();
    t.string('shortname', 32).nullable();
    t.string('type', 30).defaultTo('other');
    t.integer('ports').nullable();
    t.string('secret', 60).notNullable().defaultTo('secret');
    t.string('server', 64).nullable();
    t.string('community', 50).nullable();
    t.string('description', 200).defaultTo('RADIUS Client');
    t.index(['nasname']);
  });
  await knex.schema.createTable('nasreload', (t) => {
    t.string('nasipaddress', 15).notNullable().primary();
    t.dateTime('reloadtime').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['nasreload', 'nas', 'radpostauth', 'radusergroup', 'radreply', 'radgroupreply', 'radgroupcheck', 'radcheck', 'radacct']) {
    await knex.schema.dropTable(t);
  }
}
