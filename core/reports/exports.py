"""The report as files: CSV and XLSX, headers and labels in the reader's language.

CSV is UTF-8 with a byte order mark, which is how Excel knows to read accents right.
XLSX is written by XlsxWriter (write-only, fast); numbers stay numbers, and a
suppressed cell is left empty with the "suppressed" column saying why.
"""

import csv
import io

import xlsxwriter

from core.reports.table import headers, table, title
from core.services.reports import Report

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(report: Report, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(language))
    for row in table(report, language):
        shown = "" if row.value is None else row.value
        writer.writerow([row.code, row.section, row.indicator, shown, row.unit, row.suppressed])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(report: Report, language: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": title(report, language)})
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    number = workbook.add_format({"num_format": "#,##0.0"})
    whole = workbook.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, headers(language), bold)
    rows = table(report, language)
    for index, row in enumerate(rows, start=1):
        sheet.write_string(index, 0, row.code)
        sheet.write_string(index, 1, row.section)
        sheet.write_string(index, 2, row.indicator)
        if row.value is None:
            sheet.write_blank(index, 3, None)
        else:
            sheet.write_number(index, 3, row.value, whole if isinstance(row.value, int) else number)
        sheet.write_string(index, 4, row.unit)
        sheet.write_string(index, 5, row.suppressed)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 60)
    sheet.set_column(3, 5, 14)
    sheet.autofilter(0, 0, len(rows), 5)
    workbook.close()
    return buffer.getvalue()
