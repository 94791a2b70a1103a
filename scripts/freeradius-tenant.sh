#!/usr/bin/env bash
# One FreeRADIUS per tenant: each tenant's FreeRADIUS tables live in its own database (ispt_<slug>), so each
# tenant gets its own FreeRADIUS instance (own ports, own clients from its own `nas` rows) that reads only that
# database, as a RADIUS-only MariaDB user with the few rights FreeRADIUS needs on those tables:
#
#   ispr_<slug>: SELECT on radcheck, radreply, radgroupcheck, radgroupreply, radusergroup, nas;
#                SELECT, INSERT, UPDATE on radacct; INSERT on radpostauth. Nothing else, no other database.
#
# It builds on scripts/freeradius-lab.sh (same configuration, lab directory per tenant). The RADIUS user's
# password is generated once and kept in $LAB_DIR/radius-db.pass (mode 600); it is never printed.
#
#   TENANT=acme AUTH_PORT=21900 scripts/freeradius-tenant.sh start    # KEY=VALUE lines (ports, pid, lab dir)
#   TENANT=acme AUTH_PORT=21900 scripts/freeradius-tenant.sh smoke    # start + a row in acme's radcheck → Access-Accept,
#                                   OTHER=globex also checks that a user of globex's database is rejected here
#   TENANT=acme scripts/freeradius-tenant.sh stop
#   TENANT=acme scripts/freeradius-tenant.sh drop                     # stop, and drop the RADIUS-only user
#
# Settings: TENANT (the slug, required), AUTH_PORT=21900 (acct +1, inner +2), COA_PORT=AUTH_PORT+3,
# RADSECRET=testing123, DB_HOST=127.0.0.1, DB_PORT=3306, ADMIN_USER=root, ADMIN_PASS='' (a MariaDB account that
# may CREATE USER and GRANT: used only to create the RADIUS user and, for smoke, to write test rows),
# LAB_DIR=${TMPDIR:-/tmp}/ispgate-radius-tenant-<slug>. In production, run one such instance (or a systemd
# template unit freeradius@<slug>) per tenant, and point that tenant's routers at its ports.
set -euo pipefail

cmd=${1:-start}
: "${TENANT:?TENANT is required: the tenant slug}"
[[ "$TENANT" =~ ^[a-z][a-z0-9-]{1,30}$ ]] || { echo "TENANT must be a tenant slug (^[a-z][a-z0-9-]{1,30}\$)" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
DB_NAME="ispt_${TENANT//-/_}"
RAD_USER="ispr_${TENANT//-/_}"
DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-3306}
ADMIN_USER=${ADMIN_USER:-root}
ADMIN_PASS=${ADMIN_PASS:-}
AUTH_PORT=${AUTH_PORT:-21900}
COA_PORT=${COA_PORT:-$((AUTH_PORT + 3))}
RADSECRET=${RADSECRET:-testing123}
LAB_DIR=${LAB_DIR:-${TMPDIR:-/tmp}/ispgate-radius-tenant-$TENANT}

admin_sql() {
  local bin
  bin=$(command -v mariadb || command -v mysql)
  MYSQL_PWD="$ADMIN_PASS" "$bin" --protocol=TCP -h "$DB_HOST" -P "$DB_PORT" -u "$ADMIN_USER" "$@"
}

ensure_radius_user() {
  local have
  have=$(admin_sql -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='$DB_NAME'")
  [ "$have" = 1 ] || { echo "no database $DB_NAME: provision the tenant first (tenant_provision or npm run cli -- tenant create)" >&2; exit 1; }
  mkdir -p "$LAB_DIR"
  if [ ! -s "$LAB_DIR/radius-db.pass" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$LAB_DIR/radius-db.pass")
  fi
  local pw
  pw=$(cat "$LAB_DIR/radius-db.pass")
  admin_sql <<SQL
CREATE USER IF NOT EXISTS '$RAD_USER'@'%' IDENTIFIED BY '$pw';
ALTER USER '$RAD_USER'@'%' IDENTIFIED BY '$pw';
GRANT SELECT ON \`$DB_NAME\`.radcheck TO '$RAD_USER'@'%';
GRANT SELECT ON \`$DB_NAME\`.radreply TO '$RAD_USER'@'%';
GRANT SELECT ON \`$DB_NAME\`.radgroupcheck TO '$RAD_USER'@'%';
GRANT SELECT ON \`$DB_NAME\`.radgroupreply TO '$RAD_USER'@'%';
GRANT SELECT ON \`$DB_NAME\`.radusergroup TO '$RAD_USER'@'%';
GRANT SELECT ON \`$DB_NAME\`.nas TO '$RAD_USER'@'%';
GRANT SELECT, INSERT, UPDATE ON \`$DB_NAME\`.radacct TO '$RAD_USER'@'%';
GRANT INSERT ON \`$DB_NAME\`.radpostauth TO '$RAD_USER'@'%';
SQL
}

lab() {
  DB_NAME="$DB_NAME" DB_HOST="$DB_HOST" DB_PORT="$DB_PORT" DB_USER="$RAD_USER" DB_PASS="$(cat "$LAB_DIR/radius-db.pass")" \
    AUTH_PORT="$AUTH_PORT" COA_PORT="$COA_PORT" RADSECRET="$RADSECRET" LAB_DIR="$LAB_DIR" "$HERE/freeradius-lab.sh" "$@"
}

ask() { # user password → the radclient transcript
  printf 'User-Name = "%s"\nUser-Password = "%s"\n' "$1" "$2" | radclient -x -r 1 -t 3 "127.0.0.1:$AUTH_PORT" auth "$RADSECRET" 2>&1 || true
}

smoke() {
  ensure_radius_user
  lab start
  local other_db=""
  [ -n "${OTHER:-}" ] && other_db="ispt_${OTHER//-/_}"
  admin_sql "$DB_NAME" -e "DELETE FROM radcheck WHERE username='tenant-smoke';
    INSERT INTO radcheck (username,attribute,op,value) VALUES ('tenant-smoke','Cleartext-Password',':=','s3cret');"
  [ -n "$other_db" ] && admin_sql "$other_db" -e "DELETE FROM radcheck WHERE username='other-smoke';
    INSERT INTO radcheck (username,attribute,op,value) VALUES ('other-smoke','Cleartext-Password',':=','s3cret');"
  local own other=""
  own=$(ask tenant-smoke s3cret)
  [ -n "$other_db" ] && other=$(ask other-smoke s3cret)
  admin_sql "$DB_NAME" -e "DELETE FROM radcheck WHERE username='tenant-smoke'"
  [ -n "$other_db" ] && admin_sql "$other_db" -e "DELETE FROM radcheck WHERE username='other-smoke'"
  echo "$own" | grep -q 'Received Access-Accept' || { echo "$own"; echo "SMOKE FAILED: the tenant's own subscriber was not accepted" >&2; exit 1; }
  if [ -n "$other_db" ]; then
    echo "$other" | grep -q 'Received Access-Reject' || { echo "$other"; echo "SMOKE FAILED: a subscriber of $OTHER was not rejected" >&2; exit 1; }
    local peek
    peek=$(MYSQL_PWD="$(cat "$LAB_DIR/radius-db.pass")" "$(command -v mariadb || command -v mysql)" --protocol=TCP -h "$DB_HOST" -P "$DB_PORT" -u "$RAD_USER" -N -e "SELECT COUNT(*) FROM \`$other_db\`.radcheck" 2>&1 || true)
    echo "$peek" | grep -q 'denied' || { echo "SMOKE FAILED: $RAD_USER can read $other_db" >&2; exit 1; }
  fi
  echo "SMOKE OK"
}

case "$cmd" in
  start) ensure_radius_user; lab start ;;
  stop) lab stop ;;
  smoke) smoke ;;
  drop) [ -f "$LAB_DIR/radius-db.pass" ] && lab stop || true; admin_sql -e "DROP USER IF EXISTS '$RAD_USER'@'%'"; rm -rf "$LAB_DIR"; echo "dropped $RAD_USER" ;;
  *) echo "usage: TENANT=<slug> $0 start|stop|smoke|drop" >&2; exit 2 ;;
esac
