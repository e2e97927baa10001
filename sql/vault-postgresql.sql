-- Schema for Vault's PostgreSQL storage backend, and Vault's least-privilege role.
-- Idempotent: safe to apply again. Applied with psql by the <name>-postgresql-schema-<hash>
-- Job, as the database's administrator (owner of the database, with CREATEROLE; not
-- necessarily a superuser, as on RDS):
--
--   psql -v ON_ERROR_STOP=1 -v kv_table=vault_kv_store -v ha_table=vault_ha_locks \
--        -v vault_role=vault -v vault_password="$VAULT_DB_PASSWORD" -f vault-postgresql.sql
--
-- The tables and index are the ones Vault's documentation asks for (Vault does not
-- create them). Collation "C" keeps the byte order Vault's LIST relies on.

\set kv_index :kv_table '_parent_path_idx'
\set kv_pkey :kv_table '_pkey'
\set ha_pkey :ha_table '_pkey'

CREATE TABLE IF NOT EXISTS :"kv_table" (
  parent_path TEXT COLLATE "C" NOT NULL,
  path        TEXT COLLATE "C",
  key         TEXT COLLATE "C",
  value       BYTEA,
  CONSTRAINT :"kv_pkey" PRIMARY KEY (path, key)
);

CREATE INDEX IF NOT EXISTS :"kv_index" ON :"kv_table" (parent_path);

CREATE TABLE IF NOT EXISTS :"ha_table" (
  ha_key      TEXT COLLATE "C" NOT NULL,
  ha_identity TEXT COLLATE "C" NOT NULL,
  ha_value    TEXT COLLATE "C",
  valid_until TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT :"ha_pkey" PRIMARY KEY (ha_key)
);

-- Vault's role: it logs in, and reads and writes rows of these two tables. No DDL,
-- no other table, no other schema object.
SELECT format('CREATE ROLE %I LOGIN', :'vault_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'vault_role') \gexec
-- (SUPERUSER and REPLICATION are left alone: only a superuser may name them, and a
-- role created here never has them; RDS's administrator is not a superuser.)
SELECT format('ALTER ROLE %I WITH LOGIN NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD %L',
              :'vault_role', :'vault_password') \gexec

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"vault_role";
GRANT USAGE ON SCHEMA public TO :"vault_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON :"kv_table", :"ha_table" TO :"vault_role";
