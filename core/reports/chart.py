"""One SVG bar chart per report section, written by hand: a few rectangles and texts
need no plotting library.

Accessible: ``role="img"`` named by a ``<title>`` and described by a ``<desc>`` that
reads every value out (screen readers do not read the bars); each bar's group has its
own title. Labels and numbers are in the reader's language, dark text and bars on
white (contrast above 7:1); a suppressed value is said in words, never drawn as zero.
"""

from xml.sax.saxutils import escape, quoteattr

from babel.numbers import format_decimal

from core.i18n import translate
from core.services.reports import ReportRow, ReportSection

BAR_COLOUR = "#1d4f91"  # 8.6:1 against white
TEXT_COLOUR = "#1a1a1a"
ROW_HEIGHT = 28
BAR_HEIGHT = 18
BAR_AREA = 300
CHAR_WIDTH = 7  # an average 13 px sans-serif glyph, to size the label column
LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def formatted(row: ReportRow, language: str) -> str:
    """The row's value in words of the reader's language: "12.5 days", "12,5 jours"."""
    if row.suppressed:
        return translate("report.chart.suppressed", language)
    if row.value is None:
        return translate("report.chart.no_data", language)
    number = format_decimal(row.value, format="#,##0.##", locale=LOCALES[language])  # averages: 2 decimals
    return translate(f"report.value.{row.unit.value}", language, value=number)


def svg(section: ReportSection, language: str) -> str:
    rows = [row for row in section.rows if row.unit == section.chart_unit]
    title = section.title(language)
    described = "; ".join(f"{row.label(language)}: {formatted(row, language)}" for row in rows)
    description = translate(
        "report.chart.description",
        language,
        unit=translate(f"report.unit.{section.chart_unit.value}", language),
        values=described or translate("report.chart.no_data", language),
    )
    label_width = min(max((len(row.label(language)) for row in rows), default=10) * CHAR_WIDTH + 16, 460)
    value_width = 150
    width = label_width + BAR_AREA + value_width
    height = ROW_HEIGHT * max(len(rows), 1) + 16
    largest = max((row.value or 0 for row in rows if not row.suppressed), default=0)
    prefix = f"report-{section.key.replace('_', '-')}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" lang="{language}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for index, row in enumerate(rows):
        top = 8 + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        label = row.label(language)
        value_text = formatted(row, language)
        bar = 0.0 if row.suppressed or not largest else BAR_AREA * (row.value or 0) / largest
        parts.append(f"<g><title>{escape(f'{label}: {value_text}')}</title>")
        parts.append(
            f'<text x="{label_width - 8}" y="{middle}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
        if bar:
            parts.append(
                f'<rect x="{label_width}" y="{top + (ROW_HEIGHT - BAR_HEIGHT) / 2}" '
                f'width="{bar:.1f}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>'
            )
        style = ' font-style="italic"' if row.suppressed or row.value is None else ""
        parts.append(
            f'<text x="{label_width + bar + 6:.1f}" y="{middle}" dominant-baseline="middle" '
            f"fill={quoteattr(TEXT_COLOUR)}{style}>{escape(value_text)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
