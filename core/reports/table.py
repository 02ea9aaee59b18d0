"""The report as one table in the reader's language: what the exports write."""

from dataclasses import dataclass

from core.i18n import translate
from core.services.reports import Report, ReportRow, ReportUnit


@dataclass(frozen=True)
class TableRow:
    code: str  # section and row keys: stable across languages, for whoever reads the file back
    section: str
    indicator: str
    value: float | int | None  # None where suppressed or where there is nothing to measure
    unit: str
    suppressed: str  # "yes" in the reader's language, or empty


def headers(language: str) -> list[str]:
    return [
        translate(f"report.header.{name}", language)
        for name in ("code", "section", "indicator", "value", "unit", "suppressed")
    ]


def value(row: ReportRow) -> float | int | None:
    """Counts as integers, the rest as they were rounded."""
    if row.value is None:
        return None
    return int(row.value) if row.unit == ReportUnit.COUNT else row.value


def table(report: Report, language: str) -> list[TableRow]:
    return [
        TableRow(
            code=f"{section.key}/{row.key}",
            section=section.title(language),
            indicator=row.label(language),
            value=value(row),
            unit=translate(f"report.unit.{row.unit.value}", language),
            suppressed=translate("report.suppressed", language) if row.suppressed else "",
        )
        for section in report.sections
        for row in section.rows
    ]


def title(report: Report, language: str) -> str:
    return translate(
        "report.title",
        language,
        scope=report.scope_names[language],
        start=report.start.isoformat(),
        end=report.end.isoformat(),
    )


def file_name(report: Report, extension: str) -> str:
    period = f"{report.start.isoformat()}-{report.end.isoformat()}"
    return f"tremplin-report-{report.scope.value}-{period}.{extension}"
