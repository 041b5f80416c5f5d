#!/bin/sh
# Least privilege for Merzim's database (docker-compose.yml's db-roles job; the embedded stacks do the same in worker/embedded/roles.ts):
# merzim_owner owns the database and runs the migrations; merzim_app, the application's login, owns nothing; neither is a superuser.
# Idempotent: run as the cluster's superuser (PGHOST, PGUSER, PGPASSWORD) on every `docker compose up`.
set -eu
: "${MERZIM_OWNER_PASSWORD:?}" "${MERZIM_APP_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 -v owner_pw="$MERZIM_OWNER_PASSWORD" -v app_pw="$MERZIM_APP_PASSWORD" -d postgres <<'SQL'
SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY['merzim_owner', 'merzim_app']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE merzim_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_pw';
ALTER ROLE merzim_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_pw';
SELECT 'CREATE DATABASE merzim OWNER merzim_owner ENCODING ''UTF8''' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'merzim') \gexec
ALTER DATABASE merzim OWNER TO merzim_owner;
REVOKE CONNECT, TEMPORARY ON DATABASE merzim FROM PUBLIC;
GRANT CONNECT ON DATABASE merzim TO merzim_app;
\c merzim
ALTER SCHEMA public OWNER TO merzim_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
echo "merzim_owner and merzim_app are in place"
