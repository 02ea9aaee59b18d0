"""GraphQL for reports: thin resolvers over ``core.services.reports``, with each
section's table rows and SVG chart in the viewer's language, and the report asked for
by mail."""

import uuid
from datetime import date

import strawberry

from core.graphql.context import GraphQLInfo
from core.i18n import translate
from core.reports.chart import svg
from core.services import reports as report_service
from core.services.reports import ExportFormat, ReportScope, ReportUnit

strawberry.enum(ReportScope, description="A program, an organization's programs, or the whole collaborative")
strawberry.enum(ReportUnit)
strawberry.enum(ExportFormat, name="ReportExportFormat")


@strawberry.type
class ReportRow:
    row: strawberry.Private[report_service.ReportRow]
    language: strawberry.Private[str]

    @strawberry.field(description="Stable within its section, whatever the language")
    def key(self) -> str:
        return self.row.key

    @strawberry.field(description="In the viewer's language")
    def label(self) -> str:
        return self.row.label(self.language)

    @strawberry.field(description="Null when suppressed, or when there is nothing to measure")
    def value(self) -> float | None:
        return self.row.value

    @strawberry.field
    def unit(self) -> ReportUnit:
        return self.row.unit

    @strawberry.field(description="Counts fewer than 5 people: hidden so that no one can be singled out")
    def suppressed(self) -> bool:
        return self.row.suppressed


@strawberry.type
class ReportSection:
    section: strawberry.Private[report_service.ReportSection]
    language: strawberry.Private[str]

    @strawberry.field
    def key(self) -> str:
        return self.section.key

    @strawberry.field(description="In the viewer's language")
    def title(self) -> str:
        return self.section.title(self.language)

    @strawberry.field(description="What the section counts, in the viewer's language")
    def description(self) -> str:
        return self.section.description(self.language)

    @strawberry.field
    def rows(self) -> list[ReportRow]:
        return [ReportRow(row=row, language=self.language) for row in self.section.rows]

    @strawberry.field(description="An accessible SVG bar chart of the section, in the viewer's language")
    def svg(self) -> str:
        return svg(self.section, self.language)


@strawberry.type
class Report:
    report: strawberry.Private[report_service.Report]
    language: strawberry.Private[str]

    @strawberry.field
    def scope(self) -> ReportScope:
        return self.report.scope

    @strawberry.field(description="The program's, the organization's or the collaborative's name")
    def scope_name(self) -> str:
        return self.report.scope_names[self.language]

    @strawberry.field
    def program_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.report.program_id)) if self.report.program_id else None

    @strawberry.field
    def organization_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.report.organization_id)) if self.report.organization_id else None

    @strawberry.field
    def start(self) -> date:
        return self.report.start

    @strawberry.field(description="The first day after the period")
    def end(self) -> date:
        return self.report.end

    @strawberry.field(
        description="True for the lead organization's and funders' views of others: small cells suppressed"
    )
    def aggregates_only(self) -> bool:
        return self.report.aggregates_only

    @strawberry.field
    def sections(self) -> list[ReportSection]:
        return [ReportSection(section=section, language=self.language) for section in self.report.sections]


@strawberry.input
class ReportPeriodInput:
    start: date
    end: date = strawberry.field(description="The first day after the period (excluded)")


@strawberry.input(description="A program, or an organization, or neither for the whole collaborative")
class ReportInput:
    period: ReportPeriodInput
    program_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None


@strawberry.input(description="The report to mail: a scope and period as for `report`, and a file format")
class ReportExportInput:
    period: ReportPeriodInput
    format: ExportFormat
    program_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None


@strawberry.type(description="A report on its way by mail")
class ReportExportRequest:
    email: str = strawberry.field(description="The address it goes to: the requester's")
    message: str = strawberry.field(description="What happens next, in the requester's language")


@strawberry.type
class ReportsQuery:
    @strawberry.field(
        description="Staff: their programs' and organization's report; the lead organization and "
        "funders: any organization's or the whole collaborative's, as aggregates only"
    )
    async def report(self, info: GraphQLInfo, input: ReportInput) -> Report:
        found = await info.context.call(
            report_service.report,
            start=input.period.start,
            end=input.period.end,
            program_id=input.program_id,
            organization_id=input.organization_id,
        )
        return Report(report=found, language=info.context.language)


@strawberry.type
class ReportsMutation:
    @strawberry.mutation(
        description="The report of `report` as a CSV or XLSX file mailed to the requester in a few minutes, "
        "built as they may see it then; refused at once as `report` would be"
    )
    async def request_report_export(self, info: GraphQLInfo, input: ReportExportInput) -> ReportExportRequest:
        await info.context.actor()  # so that the language falls back on the person's preference
        language = info.context.language
        email = await info.context.call(
            report_service.request_export,
            start=input.period.start,
            end=input.period.end,
            export_format=input.format,
            language=language,
            program_id=input.program_id,
            organization_id=input.organization_id,
        )
        message = translate("report.export.requested", language, email=email)
        return ReportExportRequest(email=email, message=message)
