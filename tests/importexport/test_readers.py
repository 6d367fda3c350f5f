import pytest

from apps.importexport.errors import ImportExportError
from apps.importexport.importers.base import Column, map_header
from apps.importexport.readers import file_format, read_table
from tests.importexport.conftest import xlsx_bytes

COLUMNS = (
    Column("sku", "", required=True),
    Column("sale_price", "", aliases=("price",)),
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("sku,name\nA-1,Café\n".encode(), ["A-1", "Café"]),
        ("\ufeffsku,name\nA-1,Café\n".encode(), ["A-1", "Café"]),  # UTF-8 with BOM
        ("sku\tname\r\nA-1\tCafé\r\n".encode("utf-16"), ["A-1", "Café"]),  # Excel "Unicode text"
        ("sku;name\nA-1;Café\n".encode("cp1252"), ["A-1", "Café"]),  # older Excel, semicolons
    ],
)
def test_csv_encodings_and_separators_are_sniffed(content, expected):
    table = read_table(content, file_format("data.csv", content))
    assert table.header == ["sku", "name"]
    assert table.rows == [(2, expected)]


def test_xlsx_is_read_even_when_named_csv():
    content = xlsx_bytes(["sku", "qty"], [["A-1", 3], ["B-2", 2.5]])
    assert file_format("renamed.csv", content) == "xlsx"
    table = read_table(content, "xlsx")
    assert table.rows == [(2, ["A-1", "3"]), (3, ["B-2", "2.5"])]


def test_blank_lines_are_skipped_but_row_numbers_match_the_spreadsheet():
    table = read_table(b"sku\nA\n\n,\nB\n", "csv")
    assert table.rows == [(2, ["A"]), (5, ["B"])]


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        (b"", "csv", "empty"),
        (b"   \n  ", "csv", "empty"),
        (bytes(range(256)) * 20, "csv", "does not look like a CSV"),
        (b"PK\x03\x04 this is no workbook", "xlsx", "could not be read as an Excel"),
        (b'sku,name\n"A-1,unterminated', "csv", None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "csv", "old Excel 97"),
    ],
)
def test_garbage_files_are_refused_in_words(content, fmt, message):
    if message is None:  # an unterminated quote is read as one cell: still no exception
        read_table(content, fmt)
        return
    with pytest.raises(ImportExportError, match=message):
        read_table(content, fmt)


def test_header_mapping_ignores_case_spaces_and_knows_aliases():
    mapped = map_header([" SKU ", "Price", "Colour"], COLUMNS)
    assert mapped.positions == {"sku": 0, "sale_price": 1}
    assert mapped.ignored == ["Colour"]


def test_missing_and_repeated_columns_are_named():
    with pytest.raises(ImportExportError, match="Missing column: sku"):
        map_header(["name", "price"], COLUMNS)
    with pytest.raises(ImportExportError, match="appears twice"):
        map_header(["sku", "price", "Sale price"], COLUMNS)


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch):
    from apps.importexport import readers

    content = xlsx_bytes(["sku"], [[f"A-{i}"] for i in range(50)])
    monkeypatch.setattr(readers, "MAX_XLSX_UNPACKED", 1000)  # the limit, scaled down
    with pytest.raises(ImportExportError, match="too large once unpacked"):
        read_table(content, "xlsx")
