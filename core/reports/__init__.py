"""A report (``core.services.reports``) as people read it: a table in their language,
an SVG bar chart per section, CSV and XLSX exports, and the job that mails an export."""
