#!/usr/bin/env bash
# A throwaway FreeRADIUS 3 on loopback whose sql module reads ispgate's own database (the radcheck/radreply/
# radgroup*/radusergroup/radacct/radpostauth/nas tables the network migrations create). Used by the network
# end-to-end tests and by CI. Runs as root or as a normal user, needs no systemd, and touches nothing outside
# its lab directory.
#
#   DB_NAME=ispgate_test scripts/freeradius-lab.sh start    # prints KEY=VALUE lines (ports, pid, lab dir)
#   DB_NAME=ispgate_test scripts/freeradius-lab.sh smoke    # start + hand-made rows + radclient → Access-Accept
#   DB_NAME=ispgate_test scripts/freeradius-lab.sh stop
#
# Settings (environment): DB_NAME (required), DB_HOST=127.0.0.1, DB_PORT=3306, DB_USER=root, DB_PASS='',
# AUTH_PORT=21812 (accounting is AUTH_PORT+1), COA_PORT=23799, RADSECRET=testing123,
# LAB_DIR=${TMPDIR:-/tmp}/ispgate-radius-lab-$DB_NAME, CLIENTS_FROM_DB=0 (1 = no clients.conf entry: only the nas
# table's rows may talk to the server), LOAD_SCHEMA=0 (1 = create the tables from the installed
# FreeRADIUS schema.sql, for running the smoke test without ispgate's migrations).
#
# Idempotent: "start" stops a lab it started before in the same LAB_DIR (by its recorded pid only) and
# rebuilds the configuration, so a rerun after a crash or a config change just works.
set -euo pipefail

cmd=${1:-start}
: "${DB_NAME:?DB_NAME is required: the MariaDB database holding the FreeRADIUS tables}"
case "$DB_NAME" in *[!A-Za-z0-9_]*) echo "DB_NAME must be letters, digits and _ only" >&2; exit 2;; esac
DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-3306}
DB_USER=${DB_USER:-root}
DB_PASS=${DB_PASS:-}
AUTH_PORT=${AUTH_PORT:-21812}
ACCT_PORT=$((AUTH_PORT + 1))
INNER_PORT=$((AUTH_PORT + 2))
COA_PORT=${COA_PORT:-23799}
RADSECRET=${RADSECRET:-testing123}
LAB_DIR=${LAB_DIR:-${TMPDIR:-/tmp}/ispgate-radius-lab-$DB_NAME}
LOAD_SCHEMA=${LOAD_SCHEMA:-0}
RADDB_SRC=${RADDB_SRC:-/etc/freeradius/3.0}

RADIUSD=$(command -v freeradius || command -v radiusd || true)

mysql_cli() {
  local bin
  bin=$(command -v mariadb || command -v mysql)
  MYSQL_PWD="$DB_PASS" "$bin" --protocol=TCP -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" "$@"
}

stop_lab() {
  local pidfile="$LAB_DIR/radiusd.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  # Only our own radiusd: the pid must still be a FreeRADIUS process started with this lab's raddb.
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-d $LAB_DIR/raddb"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

build_raddb() {
  local R="$LAB_DIR/raddb" SUDO=""
  [ -r "$RADDB_SRC/radiusd.conf" ] || SUDO=sudo
  rm -rf "$R"
  mkdir -p "$LAB_DIR/log" "$LAB_DIR/run"
  $SUDO cp -a "$RADDB_SRC" "$R"
  if [ -n "$SUDO" ] || [ "$(id -u)" = 0 ]; then
    ${SUDO:-} chown -R "$(id -u):$(id -g)" "$R"
  fi

  # Throwaway EAP certificate: the Debian default points at a key only root:ssl-cert can read.
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$R/certs/lab.key" -out "$R/certs/lab.pem" -days 2 \
    -subj /CN=ispgate-radius-lab >/dev/null 2>&1
  sed -i -E "s#^(\s*)private_key_file = .*#\1private_key_file = $R/certs/lab.key#; s#^(\s*)certificate_file = .*#\1certificate_file = $R/certs/lab.pem#" \
    "$R/mods-available/eap"

  # Run as the invoking user; no reject delay (a 1 s delay reads as a timeout to short-timeout clients);
  # no proxying; logs and run files inside the lab.
  sed -i -E 's/^(\s*)(user|group) = freerad/\1#\2 = freerad/' "$R/radiusd.conf"
  sed -i -E 's/^(\s*)reject_delay = .*/\1reject_delay = 0/' "$R/radiusd.conf"
  sed -i -E 's/^(\s*)proxy_requests\s*=\s*yes/\1proxy_requests = no/' "$R/radiusd.conf"
  sed -i -E "s#^logdir = .*#logdir = $LAB_DIR/log#; s#^run_dir = .*#run_dir = $LAB_DIR/run#" "$R/radiusd.conf"

  # Default site: keep the IPv4 listeners, on loopback and our ports; drop IPv6 ones (IPv6-less containers).
  awk -v AUTH="$AUTH_PORT" -v ACCT="$ACCT_PORT" -v ADDR=127.0.0.1 '
    /^listen \{/ { inb=1; buf=$0 "\n"; next }
    inb { buf = buf $0 "\n";
          if ($0 ~ /^\}/) { inb=0;
            if (buf ~ /\n[ \t]*ipv6addr[ \t]*=/) next;
            p = (buf ~ /\n[ \t]*type[ \t]*=[ \t]*acct/) ? ACCT : AUTH;
            gsub(/\n[ \t]*ipaddr[ \t]*=[ \t]*\*/, "\n\tipaddr = " ADDR, buf);
            gsub(/\n[ \t]*port[ \t]*=[ \t]*0/, "\n\tport = " p, buf);
            printf "%s", buf }
          next }
    { print }' "$R/sites-available/default" >"$R/sites-available/default.new"
  mv "$R/sites-available/default.new" "$R/sites-available/default"
  sed -i -E "s/port = 18120/port = $INNER_PORT/" "$R/sites-available/inner-tunnel"

  # radpostauth must never hold a subscriber's password: log the outcome, not the credential.
  sed -i "s#'%{%{User-Password}:-%{Chap-Password}}'#''#" "$R/mods-config/sql/main/mysql/queries.conf"
  grep -q "User-Password}:-%{Chap-Password" "$R/mods-config/sql/main/mysql/queries.conf" && {
    echo "could not remove the password from the post-auth query" >&2; exit 1; }

  cat >"$R/mods-available/sql" <<SQL
sql {
	dialect = "mysql"
	driver = "rlm_sql_mysql"
	mysql {
		warnings = auto
	}
	server = "$DB_HOST"
	port = $DB_PORT
	login = "$DB_USER"
	password = "$DB_PASS"
	radius_db = "$DB_NAME"
	acct_table1 = "radacct"
	acct_table2 = "radacct"
	postauth_table = "radpostauth"
	authcheck_table = "radcheck"
	groupcheck_table = "radgroupcheck"
	authreply_table = "radreply"
	groupreply_table = "radgroupreply"
	usergroup_table = "radusergroup"
	delete_stale_sessions = yes
	pool {
		start = 1
		min = 1
		max = 4
		spare = 2
		uses = 0
		retry_delay = 1
		lifetime = 0
		idle_timeout = 60
	}
	read_clients = yes
	client_table = "nas"
	group_attribute = "SQL-Group"
	\$INCLUDE \${modconfdir}/\${.:name}/main/\${dialect}/queries.conf
}
SQL
  ln -sf ../mods-available/sql "$R/mods-enabled/sql"

  if [ "${CLIENTS_FROM_DB:-0}" = 1 ]; then
    # Only the nas table defines clients: proves the routers ispgate wrote are what FreeRADIUS trusts.
    : >"$R/clients.conf"
  else
    cat >"$R/clients.conf" <<CLI
client localhost {
	ipaddr = 127.0.0.1
	secret = $RADSECRET
	require_message_authenticator = no
	nas_type = other
}
CLI
  fi

  # A CoA/Disconnect receiver, so the gateway's sender can also be checked against a real implementation.
  cat >"$R/sites-enabled/coa-test" <<COA
listen {
	type = coa
	ipaddr = 127.0.0.1
	port = $COA_PORT
	virtual_server = coa-test
}
server coa-test {
	recv-coa {
		if (&User-Name == "ghost") {
			reject
		}
		ok
	}
	send-coa {
		ok
	}
}
COA
}

start_lab() {
  if [ -z "$RADIUSD" ]; then
    echo "FreeRADIUS is not installed (no freeradius/radiusd binary); apt-get install freeradius freeradius-mysql freeradius-utils" >&2
    exit 3
  fi
  mkdir -p "$LAB_DIR"
  stop_lab
  if [ "$LOAD_SCHEMA" = 1 ]; then
    local SUDO=""
    [ -r "$RADDB_SRC/mods-config/sql/main/mysql/schema.sql" ] || SUDO=sudo
    mysql_cli -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`"
    $SUDO cat "$RADDB_SRC/mods-config/sql/main/mysql/schema.sql" | mysql_cli "$DB_NAME"
  fi
  build_raddb
  if ! "$RADIUSD" -C -X -d "$LAB_DIR/raddb" >"$LAB_DIR/radiusd-check.log" 2>&1; then
    tail -40 "$LAB_DIR/radiusd-check.log" >&2
    exit 1
  fi
  # -X keeps it in the foreground with the debug log CI needs when a test fails; setsid detaches it from the
  # caller's process group so a test runner's exit does not take it down mid-test.
  setsid "$RADIUSD" -X -d "$LAB_DIR/raddb" >"$LAB_DIR/radiusd.log" 2>&1 </dev/null &
  echo $! >"$LAB_DIR/radiusd.pid"
  for _ in $(seq 1 100); do
    grep -q "Ready to process requests" "$LAB_DIR/radiusd.log" && break
    kill -0 "$(cat "$LAB_DIR/radiusd.pid")" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q "Ready to process requests" "$LAB_DIR/radiusd.log"; then
    tail -40 "$LAB_DIR/radiusd.log" >&2
    stop_lab
    exit 1
  fi
  echo "LAB_DIR=$LAB_DIR"
  echo "RADIUSD_PID=$(cat "$LAB_DIR/radiusd.pid")"
  echo "AUTH_PORT=$AUTH_PORT"
  echo "ACCT_PORT=$ACCT_PORT"
  echo "COA_PORT=$COA_PORT"
  echo "RADSECRET=$RADSECRET"
}

smoke() {
  start_lab
  mysql_cli "$DB_NAME" -e "
    DELETE FROM radcheck WHERE username='lab-smoke'; DELETE FROM radreply WHERE username='lab-smoke';
    INSERT INTO radcheck (username,attribute,op,value) VALUES ('lab-smoke','Cleartext-Password',':=','s3cret');
    INSERT INTO radreply (username,attribute,op,value) VALUES ('lab-smoke','Mikrotik-Rate-Limit',':=','10M/20M');"
  local out
  out=$(printf 'User-Name = "lab-smoke"\nUser-Password = "s3cret"\n' | radclient -x -r 1 -t 3 "127.0.0.1:$AUTH_PORT" auth "$RADSECRET" 2>&1 || true)
  echo "$out"
  mysql_cli "$DB_NAME" -e "DELETE FROM radcheck WHERE username='lab-smoke'; DELETE FROM radreply WHERE username='lab-smoke';"
  echo "$out" | grep -q 'Received Access-Accept' && echo "$out" | grep -q 'Mikrotik-Rate-Limit = "10M/20M"' || {
    echo "SMOKE FAILED: no Access-Accept with the rate limit" >&2; exit 1; }
  local pass
  pass=$(mysql_cli "$DB_NAME" -N -e "SELECT COUNT(*) FROM radpostauth WHERE username='lab-smoke' AND pass='s3cret'")
  [ "$pass" = 0 ] || { echo "SMOKE FAILED: radpostauth kept the password" >&2; exit 1; }
  echo "SMOKE OK"
}

case "$cmd" in
  start) start_lab ;;
  stop) stop_lab; echo "stopped" ;;
  smoke) smoke ;;
  status) if [ -f "$LAB_DIR/radiusd.pid" ] && kill -0 "$(cat "$LAB_DIR/radiusd.pid")" 2>/dev/null; then echo running; else echo stopped; exit 1; fi ;;
  *) echo "usage: $0 start|stop|smoke|status" >&2; exit 2 ;;
esac
