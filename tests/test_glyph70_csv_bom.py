"""glyph70: a CSV the app writes is opened in a spreadsheet, and Excel on Windows reads a file without a
byte-order mark in the system's code page: a non-ASCII text came out as mojibake. Both of `analyse`'s CSV files
(the summary the Text tab exports too, and the per-token rows) start with UTF-8's mark and read back whole."""

from __future__ import annotations

import csv

from desktop_app.core.text_export import CSV_COLUMNS, TOKEN_CSV_COLUMNS

TEXT = "Le café est à Paris, la capitale. 首都は東京です。"
UTF8_MARK = b"\xef\xbb\xbf"


def test_both_csv_files_carry_the_byte_order_mark_and_read_back(run_cli, tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    summary, tokens = tmp_path / "essay.summary.csv", tmp_path / "essay.tokens.csv"
    code, _out, err = run_cli("analyse", str(essay), "--export-csv", str(summary), "--export-tokens-csv", str(tokens))
    assert code == 0, err
    assert summary.read_bytes().startswith(UTF8_MARK) and tokens.read_bytes().startswith(UTF8_MARK)
    with summary.open(encoding="utf-8-sig", newline="") as f:
        assert tuple(next(csv.reader(f))) == CSV_COLUMNS  # the mark is not read into the first header
    with tokens.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == TOKEN_CSV_COLUMNS
    assert "".join(row["text"] for row in rows) in TEXT and "首都" in "".join(row["text"] for row in rows)
