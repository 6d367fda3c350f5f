"""The ledger is append-only in the database itself: UPDATE and DELETE of a stock
move raise an error, whatever code tries. Corrections are reversing moves."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION inventory_stockmove_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock moves are append-only: reverse a move instead of changing or deleting it'
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER stockmove_append_only BEFORE UPDATE OR DELETE ON inventory_stockmove
    FOR EACH ROW EXECUTE FUNCTION inventory_stockmove_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS stockmove_append_only ON inventory_stockmove;
DROP FUNCTION IF EXISTS inventory_stockmove_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
