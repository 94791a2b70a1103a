/**
 * The environment scripts/freeradius-lab.sh reads to run a FreeRADIUS on the test's own database: FreeRADIUS
 * connects with the same credentials the test app uses (TEST_MYSQL_URL, root on loopback by default).
 */
export function freeradiusLabEnv(p: { databaseUrl: string; dbName: string; ports: { auth: number; coa: number }; secret: string; labDir: string }): NodeJS.ProcessEnv {
  const db = new URL(p.databaseUrl);
  return {
    ...process.env,
    DB_NAME: p.dbName,
    DB_HOST: db.hostname,
    DB_PORT: db.port || '3306',
    DB_USER: decodeURIComponent(db.username) || 'root',
    DB_PASS: decodeURIComponent(db.password),
    AUTH_PORT: String(p.ports.auth),
    COA_PORT: String(p.ports.coa),
    RADSECRET: p.secret,
    LAB_DIR: p.labDir,
    CLIENTS_FROM_DB: '1',
  };
}
