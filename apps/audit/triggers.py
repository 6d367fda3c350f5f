"""The PL/pgSQL that writes the audit log, and attaching it to the tracked tables.

One generic function per company schema (``audit_record_change``) runs AFTER each
row insert/update/delete of a tracked table. It diffs ``to_jsonb(OLD)`` and
``to_jsonb(NEW)`` and reads who did it from the session settings
``stockroom.actor_*`` that apps/audit/context.py sets for the request or job.
It inserts into the table's own schema (``TG_TABLE_SCHEMA``), so the function works
unchanged in schemas cloned from the template. Trigger arguments: primary key
column, columns to ignore, columns to mask, columns whose change is a security event.
"""

from __future__ import annotations

from django.db import connection as default_connection
from django_tenants.utils import get_public_schema_name

from apps.audit.tracked import TRACKED, Tracked

TRIGGER_NAME = "audit_record_change"

FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION audit_record_change() RETURNS trigger AS $$
DECLARE
    pk_col text := TG_ARGV[0];
    ignored text[] := TG_ARGV[1]::text[];
    masked text[] := TG_ARGV[2]::text[];
    sensitive text[] := TG_ARGV[3]::text[];
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    diff jsonb;
    security_diff jsonb;
    verb text;
    pk text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        verb := 'create';
        pk := new_row ->> pk_col;
        SELECT coalesce(jsonb_object_agg(key, jsonb_build_array(NULL,
                   CASE WHEN key = ANY(masked) THEN to_jsonb('(hidden)'::text) ELSE value END)), '{}')
          INTO diff FROM jsonb_each(new_row) WHERE NOT key = ANY(ignored);
    ELSIF TG_OP = 'UPDATE' THEN
        verb := 'update';
        pk := new_row ->> pk_col;
        SELECT coalesce(jsonb_object_agg(n.key, CASE WHEN n.key = ANY(masked)
                   THEN jsonb_build_array('(hidden)', '(changed)')
                   ELSE jsonb_build_array(o.value, n.value) END), '{}')
          INTO diff
          FROM jsonb_each(new_row) n JOIN jsonb_each(old_row) o ON o.key = n.key
         WHERE n.value IS DISTINCT FROM o.value AND NOT n.key = ANY(ignored);
        IF diff = '{}'::jsonb THEN
            RETURN NULL;  -- nothing a person would call a change (only noisy columns)
        END IF;
    ELSE
        verb := 'delete';
        pk := old_row ->> pk_col;
        SELECT coalesce(jsonb_object_agg(key, jsonb_build_array(
                   CASE WHEN key = ANY(masked) THEN to_jsonb('(hidden)'::text) ELSE value END, NULL)), '{}')
          INTO diff FROM jsonb_each(old_row) WHERE NOT key = ANY(ignored);
    END IF;

    EXECUTE format(
        'INSERT INTO %I.audit_auditevent (created_at, table_name, record_pk, action, changes,'
        ' actor_kind, actor_id, actor_label, ip, user_agent)'
        ' VALUES (clock_timestamp(), $1, $2, $3, $4, $5, $6, $7, $8::inet, $9)',
        TG_TABLE_SCHEMA)
    USING TG_TABLE_NAME, coalesce(pk, ''), verb, diff,
        coalesce(current_setting('stockroom.actor_kind', true), ''),
        coalesce(current_setting('stockroom.actor_id', true), ''),
        coalesce(current_setting('stockroom.actor_label', true), ''),
        nullif(current_setting('stockroom.actor_ip', true), ''),
        coalesce(current_setting('stockroom.actor_user_agent', true), '');

    IF TG_OP <> 'INSERT' AND cardinality(sensitive) > 0 THEN
        SELECT jsonb_object_agg(key, value) INTO security_diff
          FROM jsonb_each(diff) WHERE key = ANY(sensitive);
        IF security_diff IS NOT NULL THEN
            EXECUTE format(
                'INSERT INTO %I.audit_auditevent (created_at, table_name, record_pk, action,'
                ' changes, actor_kind, actor_id, actor_label, ip, user_agent)'
                ' VALUES (clock_timestamp(), $1, $2, ''permission_change'', $3, $4, $5, $6,'
                ' $7::inet, $8)',
                TG_TABLE_SCHEMA)
            USING TG_TABLE_NAME, coalesce(pk, ''), security_diff,
                coalesce(current_setting('stockroom.actor_kind', true), ''),
                coalesce(current_setting('stockroom.actor_id', true), ''),
                coalesce(current_setting('stockroom.actor_label', true), ''),
                nullif(current_setting('stockroom.actor_ip', true), ''),
                coalesce(current_setting('stockroom.actor_user_agent', true), '');
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
BEGIN
    -- The one allowed edit: erasing personal data (GDPR), values only, by the service.
    IF current_setting('stockroom.audit_erase', true) = 'on'
       AND (to_jsonb(NEW) - 'changes') = (to_jsonb(OLD) - 'changes') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed' USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_event_immutable ON audit_auditevent;
CREATE TRIGGER audit_event_immutable BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();
"""

DROP_FUNCTION_SQL = """
DROP TRIGGER IF EXISTS audit_event_immutable ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_immutable();
DROP FUNCTION IF EXISTS audit_record_change() CASCADE;
"""


def _array_literal(values: tuple[str, ...]) -> str:
    return "{" + ",".join(values) + "}"


def trigger_sql(tracked: Tracked, quote) -> str:
    args = ", ".join(
        "'" + value.replace("'", "''") + "'"
        for value in (
            tracked.pk,
            _array_literal(tracked.ignored),
            _array_literal(tracked.mask),
            _array_literal(tracked.security),
        )
    )
    return (
        f"CREATE OR REPLACE TRIGGER {TRIGGER_NAME} AFTER INSERT OR UPDATE OR DELETE"
        f" ON {quote(tracked.table)} FOR EACH ROW EXECUTE FUNCTION audit_record_change({args})"
    )


def triggers_sync(connection=default_connection) -> list[str]:
    """Attach (or refresh) the trigger on every tracked table of the current schema and
    remove it from tables no longer tracked. Returns the tables that have it."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(
            "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = %s AND p.proname = 'audit_record_change'",
            [schema],
        )
        if cursor.fetchone() is None:
            return []  # the audit migration has not run in this schema
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema],
        )
        existing = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND t.tgname = %s",
            [schema, TRIGGER_NAME],
        )
        attached = {row[0] for row in cursor.fetchall()}
        done = []
        for tracked in TRACKED:
            if tracked.table in existing:
                cursor.execute(trigger_sql(tracked, quote))
                done.append(tracked.table)
        for table in attached - {t.table for t in TRACKED}:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {quote(table)}")
    return done


def sync_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: tables created by later migrations of other apps get their trigger too."""
    from django.db import connections

    if sender.name != "apps.audit":
        return
    connection = connections[using]
    if getattr(connection, "schema_name", None) in (None, get_public_schema_name()):
        return
    triggers_sync(connection)
