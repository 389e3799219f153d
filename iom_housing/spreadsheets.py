"""Cells for every file a spreadsheet opens (CSV and XLSX): text that people typed (a name, a
note, a property's address) must never arrive as a live formula (OWASP, CSV injection).

Every CSV and XLSX writer in the project writes through `csv_writer` or `xlsx_append`.
"""

import csv
import re

from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What a spreadsheet reads as the start of a formula (OWASP's list, a line feed, and the
# full-width forms some spreadsheets take as the same characters).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A number written as text ("-3.5", "-£1,200.00", "+12%") is no formula, whatever its sign.
NUMBER_TEXT = re.compile(r"[+-]?£?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?")


def neutralised(value):
    """The value as a spreadsheet should take it: text that would start a formula gets a leading
    apostrophe (so it is read, and shown, as text); numbers, dates and other text are unchanged."""
    if not isinstance(value, str):
        return value
    # Spaces before the "=" are trimmed by some importers, so they do not make it safe.
    start = value.lstrip(" ")
    if start.startswith(FORMULA_STARTS) and not NUMBER_TEXT.fullmatch(start):
        return "'" + value
    return value


class _CsvWriter:
    def __init__(self, file):
        # Text quoted, so a spreadsheet that splits on ";" (its locale's separator) cannot cut a
        # field into a second cell that starts a formula.
        self._writer = csv.writer(file, quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, row):
        return self._writer.writerow([neutralised(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file) -> _CsvWriter:
    """A `csv.writer` whose every cell is `neutralised` and whose text is quoted."""
    return _CsvWriter(file)


def xlsx_append(sheet, values) -> list[Cell]:
    """Append a row to an openpyxl sheet, each text cell `neutralised` and stored as a string
    (never a formula, whatever it starts with), a control character shown as "�"; returns
    the row's cells for styling."""
    cells = []
    for value in values:
        if isinstance(value, str):
            # Control characters cannot be stored in XLSX at all (openpyxl refuses the cell).
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell = Cell(sheet, value=neutralised(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)
    return cells
