"""The ``tremplin`` command line."""

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click
import uvicorn
from rich.console import Console

from core import migrate
from core.errors import DomainError
from core.i18n import LANGUAGES, translate
from core.models import OrganizationKind
from core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.jobs.runner import Runner

console = Console()


def refusal(error: DomainError) -> click.ClickException:
    """A refused command's message, in both languages: a bilingual platform's operators
    read either."""
    where = f" ({error.field})" if error.field else ""
    return click.ClickException(
        "\n".join(
            f"{error.code}{where}: {translate(error.message_key, language, **error.params)}"
            for language in LANGUAGES
        )
    )


@click.group()
def main() -> None:
    """Tremplin: mentoring for the employment of skilled immigrants."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(revision)
    console.print(f"[green]Database at {revision}[/green]: {get_settings().resolved_database_url}")


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Generate a migration from model changes (developers)."""
    migrate.revision(message)


def _serve(debug: bool, demo: bool = False) -> None:
    settings = get_settings().model_copy(
        update={"debug": debug or get_settings().debug, "demo": demo or get_settings().demo}
    )
    from core.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@main.command()
def serve() -> None:
    """Serve the platform (GraphQL at /graphql)."""
    migrate.upgrade()
    _serve(debug=False)


@main.command()
@click.option("--serve/--no-serve", "serve_after", default=True, help="Start the server after seeding.")
def demo(serve_after: bool) -> None:
    """Create the database, seed the demo collaborative (once), and serve it."""
    from core.db import create_engine, session_factory
    from core.demo import DEMO_PASSWORD, demo_logins, seed_demo

    settings = get_settings()
    migrate.upgrade()

    async def seed() -> bool:
        engine = create_engine(settings)
        try:
            with console.status("Seeding the demo collaborative (about 30 seconds, once)…"):
                return await seed_demo(session_factory(engine)) is not None
        finally:
            await engine.dispose()

    seeded = asyncio.run(seed())
    console.print("Demo data " + ("seeded." if seeded else "already present: kept as is."))
    console.print(f"\n[bold]Demo logins[/bold] (password for all: [bold]{DEMO_PASSWORD}[/bold])")
    for login in demo_logins():
        console.print(f"  [cyan]{login.role:<13}[/cyan] {login.email}", soft_wrap=True)
        console.print(f"  {'':<13} [dim]{login.description_en}[/dim]")
    console.print(
        f"GraphQL and GraphiQL: [bold]http://{settings.host}:{settings.port}/graphql[/bold]. "
        "Sign in with the signIn mutation, then send the token as 'Authorization: Bearer <token>'."
    )
    console.print(
        f"Web app (home page, one click per demo login): [bold]http://{settings.host}:{settings.port}/[/bold]"
    )
    if serve_after:
        _serve(debug=True, demo=True)


@main.group()
def org() -> None:
    """Organizations of the platform (for its operators)."""


@org.command("create")
@click.argument("slug")
@click.option("--name-en", required=True)
@click.option("--name-fr", required=True)
@click.option("--kind", type=click.Choice([kind.value for kind in OrganizationKind]), required=True)
@click.option("--province", default="ON", show_default=True)
@click.option("--city", default="")
@click.option("--admin-email", required=True, help="The organization's first administrator.")
@click.option("--admin-name", required=True)
@click.password_option("--admin-password", help="Prompted for when not given.")
def org_create(
    slug: str,
    name_en: str,
    name_fr: str,
    kind: str,
    province: str,
    city: str,
    admin_email: str,
    admin_name: str,
    admin_password: str,
) -> None:
    """Create an organization and its first administrator, who then enables program
    types and adds members through the API."""
    from core.db import create_engine, session_factory, unit_of_work
    from core.models import Membership, Role
    from core.services import accounts, organizations

    async def create() -> None:
        engine = create_engine(get_settings())
        try:
            async with session_factory(engine)() as session, unit_of_work(session):
                organization = await organizations.create_organization(
                    session, slug, name_en, name_fr, OrganizationKind(kind), province, city
                )
                admin = await accounts.create_user(session, admin_email, admin_name, admin_password)
                session.add(
                    Membership(user_id=admin.id, organization_id=organization.id, role=Role.ORG_ADMIN)
                )
        finally:
            await engine.dispose()

    migrate.upgrade()
    try:
        asyncio.run(create())
    except DomainError as error:
        raise refusal(error) from None
    console.print(f"Organization [bold]{slug}[/bold] created; its administrator signs in as {admin_email}.")


@main.group("taxonomy")
def taxonomy_group() -> None:
    """Occupation (NOC 2021) and industry (NAICS 2022) classifications."""


@taxonomy_group.command("import")
@click.argument("kind", type=click.Choice(["noc", "naics"]))
@click.option(
    "--en",
    "english",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Statistics Canada's English structure file (CSV).",
)
@click.option(
    "--fr",
    "french",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Statistics Canada's French structure file (CSV).",
)
def taxonomy_import(kind: Literal["noc", "naics"], english: Path, french: Path) -> None:
    """Replace the built-in NOC 2021 or NAICS 2022 table with Statistics Canada's full
    classification structure, one CSV file per language (UTF-8 or cp1252)."""
    from core import taxonomy

    language = get_settings().default_language
    try:
        titles: dict[str, dict[str, str]] = {}
        for file_language, path in (("en", english), ("fr", french)):
            with console.status(translate("taxonomy.reading", language, file=path)):
                titles[file_language] = taxonomy.read_structure(
                    path, kind, file_language, f"--{file_language}"
                )
            console.print(translate("taxonomy.read", language, file=path, count=len(titles[file_language])))
        entries = taxonomy.merge(titles["en"], titles["fr"])
    except DomainError as error:
        raise refusal(error) from None
    target = taxonomy.write_table(kind, entries)
    for level, count in enumerate(taxonomy.count_by_level(kind, entries), start=1):
        console.print(f"  {translate(f'taxonomy.level.{kind}.{level}', language)}: [bold]{count}[/bold]")
    console.print(translate("taxonomy.written", language, count=len(entries), path=target))


@main.group("search")
def search_group() -> None:
    """The mentor search index."""


@search_group.command("reindex")
@click.option("--batch", default=1000, show_default=True, help="Profiles per batch.")
def search_reindex(batch: int) -> None:
    """Rebuild the whole search index from the database."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from core.db import create_engine, session_factory
    from core.search.engines import search_engine
    from core.search.outbox import reindex
    from core.search.port import SearchUnavailable

    async def run() -> int:
        engine = create_engine(get_settings())
        try:
            with Progress(
                TextColumn("Indexing mentors"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as bar:
                task = bar.add_task("reindex", total=None)
                return await reindex(
                    session_factory(engine),
                    search_engine(),
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                    batch=batch,
                )
        finally:
            await engine.dispose()

    migrate.upgrade()
    started = time.perf_counter()
    try:
        count = asyncio.run(run())
    except SearchUnavailable:
        raise click.ClickException(
            "The search engine is unavailable; nothing was changed in the database."
        ) from None
    elapsed = time.perf_counter() - started
    rate = count / elapsed if elapsed > 0 else 0.0
    console.print(
        f"Indexed [bold]{count}[/bold] mentor profiles in {elapsed:.1f} s ({rate:,.0f} profiles/second)."
    )


@search_group.command("drain")
def search_drain() -> None:
    """Index the profile changes waiting in the outbox, once."""
    from core.db import create_engine, session_factory
    from core.search.engines import search_engine
    from core.search.outbox import drain

    async def run() -> int:
        engine = create_engine(get_settings())
        try:
            return await drain(session_factory(engine), search_engine())
        finally:
            await engine.dispose()

    migrate.upgrade()
    console.print(f"Indexed [bold]{asyncio.run(run())}[/bold] mentor profiles from the outbox.")


@main.group("mail")
def mail_group() -> None:
    """The development mailbox: <data dir>/mailbox/, where mail goes when no SMTP server is set."""


@mail_group.command("list")
def mail_list() -> None:
    """Number, date, recipient and subject of each message, oldest first."""
    from core import mail

    for number, path in enumerate(mail.mailbox(mail.mailbox_directory(get_settings())), start=1):
        message = mail.read_message(path)
        console.print(
            f"{number:>4}  {message['Date']}  {message['To']}  {message['Subject']}",
            markup=False,
            soft_wrap=True,
        )


@mail_group.command("show")
@click.argument("number", type=click.IntRange(min=1))
def mail_show(number: int) -> None:
    """The headers and text of message NUMBER (as `tremplin mail list` numbers them)."""
    from core import mail

    messages = mail.mailbox(mail.mailbox_directory(get_settings()))
    if number > len(messages):
        raise click.ClickException(f"The mailbox holds {len(messages)} message(s).")
    message = mail.read_message(messages[number - 1])
    for header in ("Date", "From", "To", "Subject"):
        console.print(f"{header}: {message[header]}", markup=False, soft_wrap=True)
    console.print("\n" + mail.plain_text(message), markup=False, soft_wrap=True)


@main.group("jobs")
def jobs_group() -> None:
    """Background jobs: reminders and mail (procrastinate on PostgreSQL, the embedded queue on SQLite)."""


def _job_runner_for_cli() -> tuple["Runner", "AsyncEngine"]:
    from core import mail
    from core.db import create_engine, session_factory
    from core.jobs.runner import job_runner

    settings = get_settings()
    engine = create_engine(settings)
    return job_runner(settings, session_factory(engine), mail.mailer_for(settings)), engine


@jobs_group.command("work")
def jobs_work() -> None:
    """Run jobs as they fall due, and the reminder scan every few minutes, until stopped
    (for a worker process beside servers started with TREMPLIN_JOBS_IN_PROCESS=false)."""
    from core.jobs.runner import keep_working

    async def run() -> None:
        runner, engine = _job_runner_for_cli()
        console.print(
            translate("jobs.cli.working", get_settings().default_language, runner=type(runner).__name__)
        )
        try:
            await keep_working(runner)
        finally:
            await engine.dispose()

    migrate.upgrade()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


@jobs_group.command("run-due")
@click.option("--scan/--no-scan", default=True, show_default=True, help="Look for due reminders first.")
def jobs_run_due(scan: bool) -> None:
    """Run every job due now, once, and stop (cron, or after an outage)."""
    language = get_settings().default_language

    async def run() -> int | None:
        runner, engine = _job_runner_for_cli()
        try:
            if scan:
                await runner.enqueue_periodic()
            return await runner.run_due()
        finally:
            await engine.dispose()

    migrate.upgrade()
    runs = asyncio.run(run())
    console.print(
        translate("jobs.cli.ran", language, count=runs)
        if runs is not None
        else translate("jobs.cli.ran_procrastinate", language)
    )


@main.group()
def schema() -> None:
    """The published contracts."""


@schema.command("print")
@click.option("--output", type=click.Path(path_type=Path), help="Write to a file instead of stdout.")
def schema_print(output: Path | None) -> None:
    """Print the GraphQL SDL (committed as schemas/schema.graphql)."""
    from core.graphql.schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if output:
        output.write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)


if __name__ == "__main__":
    main()
