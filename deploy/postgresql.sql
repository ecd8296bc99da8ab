-- The soptui database on PostgreSQL: run once, as the postgres superuser:
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/postgresql.sql
-- One role, the server's (its OS account logs in by peer authentication, no
-- password); it owns the database, so the server makes and upgrades the
-- schema itself. Clerks get no role: they reach the data through the server.
-- psql -v role=NAME for a service account not named soptui.
\if :{?role}
\else
  \set role soptui
\endif

CREATE ROLE :"role" LOGIN;
CREATE DATABASE soptui OWNER :"role" ENCODING 'UTF8' TEMPLATE template0;
-- Only the owner (and superusers) may connect, whatever pg_hba.conf allows.
REVOKE ALL ON DATABASE soptui FROM PUBLIC;

\connect soptui
-- The schema soptui's tables live in belongs to the database owner
-- (pg_database_owner); nobody else may even look up names in it.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
