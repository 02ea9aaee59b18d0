"""The organization admin's pages: enabled plugins, programs with their eligibility
rules and matching weights, integration clients, members and the audit log.

Each page calls the same services as the API's resolvers, as the signed-in person: the
services check the admin role (403 for anyone else) and answer "not found" for another
organization's program or client (404 here)."""

import json
import math
import uuid
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core import rules
from core.access import Actor
from core.errors import DomainError, NotFound
from core.graphql.accounts import root_operations
from core.graphql.rules import leaves
from core.graphql.schema import build_schema
from core.http.sign_on import callback_url
from core.matching import explain
from core.models import AuditAction, Role
from core.services import accounts, audit, integrations, matching, organizations, programs, sign_on
from core.services.matching import MAX_WEIGHT
from core.web.base import Visit, open_visit
from core.web.pages import Form, read_form

CLIENT_ROLES = {Role.COORDINATOR: "web.role.coordinator", Role.VIEWER: "web.role.viewer"}
MEMBER_ROLES = [Role.ORG_ADMIN, Role.COORDINATOR, Role.MENTOR, Role.EMPLOYER_REP, Role.VIEWER]
AUDIT_ACTIONS = {
    AuditAction.READ: "web.admin.audit.action.read",
    AuditAction.CHANGE: "web.admin.audit.action.change",
}
AUDIT_PAGE = 50


@cache
def known_operations() -> frozenset[str]:
    """The API's root fields, the names a client may be granted (as the resolver passes
    them); the schema is built once, on the first client created."""
    return frozenset(root_operations(build_schema()))


def record_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound() from None


def _own(actor: Actor) -> uuid.UUID:
    return actor.require_role(Role.ORG_ADMIN)


# -- Plugins and programs -------------------------------------------------------------------


@get("/admin", include_in_schema=False)
async def overview(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    organization_id = _own(visit.me)
    states = await organizations.plugin_states(db_session, organization_id)
    own_programs = await programs.list_programs(db_session, organization_id)
    return visit.page(
        "admin/overview.html",
        plugins=states,
        programs=[
            {"id": program.id, "name": program.name_fr if visit.language == "fr" else program.name_en}
            for program in own_programs
        ],
        changed=request.query_params.get("changed", ""),
    )


@post("/admin/plugins", include_in_schema=False)
async def set_plugin(request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/admin")
    await visit.call(organizations.set_plugin_enabled, form.get("name", ""), form.get("enabled") == "true")
    return visit.redirect("/admin?changed=" + form.get("name", ""))


async def _program_page(
    visit: Visit,
    program_id: uuid.UUID,
    *,
    typed_weights: Form | None = None,
    typed_rules: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    assert visit.db is not None
    settings = await visit.call(matching.get_matching_settings, program_id)
    program = settings.program
    rule_set = await programs.current_rules(visit.db, program_id)
    weights = [
        {
            "key": key,
            "name": explain.criterion_name(key, visit.language),
            "value": typed_weights.get(f"weight.{key}", "") if typed_weights is not None else f"{weight:g}",
            "default": f"{settings.default_weights[key]:g}",
        }
        for key, weight in settings.weights.items()
    ]
    return visit.page(
        "admin/program.html",
        status_code=status,
        program_id=program.id,
        name=program.name_fr if visit.language == "fr" else program.name_en,
        weights=weights,
        minimum=typed_weights.get("minimumScore", "")
        if typed_weights is not None
        else f"{settings.minimum_score:g}",
        require_service_language=("requireServiceLanguage" in typed_weights)
        if typed_weights is not None
        else settings.require_service_language,
        max_weight=f"{MAX_WEIGHT:g}",
        rules_version=rule_set.version,
        criteria=[rules.describe(leaf, visit.language) for leaf in leaves(rule_set.rules)],
        rules_text=typed_rules
        if typed_rules is not None
        else json.dumps(rule_set.rules, indent=2, ensure_ascii=False),
        errors=errors or {},
        saved=visit.request.query_params.get("saved", ""),
    )


@get("/admin/programs/{program_id:str}", include_in_schema=False)
async def program_page(
    request: Request[Any, Any, Any], db_session: AsyncSession, program_id: str
) -> Template:
    visit = await open_visit(request, db_session)
    _own(visit.me)
    return await _program_page(visit, record_id(program_id))


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@post("/admin/programs/{program_id:str}/matching", include_in_schema=False)
async def save_matching(
    request: Request[Any, Any, Any], db_session: AsyncSession, program_id: str
) -> Template | Redirect:
    form = await read_form(request)
    path = f"/admin/programs/{program_id}"
    visit = await open_visit(request, db_session, form=form, back=path)
    _own(visit.me)
    identifier = record_id(program_id)
    errors: dict[str, str] = {}
    weights: list[tuple[str, float]] = []
    for name, text in form.items():
        if name.startswith("weight."):
            value = _number(text)
            if value is None:
                errors[name] = visit.t("web.admin.not_a_number")
            else:
                weights.append((name.removeprefix("weight."), value))
    minimum = _number(form.get("minimumScore", ""))
    if minimum is None:
        errors["minimumScore"] = visit.t("web.admin.not_a_number")
    if not errors:
        try:
            await visit.call(
                matching.update_matching_settings,
                identifier,
                weights=weights,
                minimum=minimum,
                require_service_language="requireServiceLanguage" in form,
            )
        except DomainError as error:
            if error.field is None:
                raise
            errors[_weight_field(error, weights)] = visit.t(error.message_key, **error.params)
    if errors:
        return await _program_page(visit, identifier, typed_weights=form, errors=errors, status=400)
    return visit.redirect(f"{path}?saved=matching")


def _weight_field(error: DomainError, weights: list[tuple[str, float]]) -> str:
    """The input a refusal of the weights belongs next to: the criterion it names, else
    the first weight out of range, else the minimum score."""
    if error.field == "minimumScore":
        return "minimumScore"
    criterion = error.params.get("criterion")
    if criterion:
        return f"weight.{criterion}"
    for key, value in weights:
        if value > MAX_WEIGHT:
            return f"weight.{key}"
    return "weights"


@post("/admin/programs/{program_id:str}/rules", include_in_schema=False)
async def save_rules(
    request: Request[Any, Any, Any], db_session: AsyncSession, program_id: str
) -> Template | Redirect:
    form = await read_form(request)
    path = f"/admin/programs/{program_id}"
    visit = await open_visit(request, db_session, form=form, back=path)
    _own(visit.me)
    identifier = record_id(program_id)
    typed = form.get("rules", "")
    try:
        parsed = json.loads(typed)
    except ValueError:
        error = visit.t("web.admin.rules.not_json")
    else:
        try:
            await visit.call(programs.update_rules, identifier, parsed)
        except DomainError as refused:
            if refused.code in {"NOT_FOUND", "FORBIDDEN"}:
                raise
            error = visit.t(refused.message_key, **refused.params)
        else:
            return visit.redirect(f"{path}?saved=rules")
    return await _program_page(visit, identifier, typed_rules=typed, errors={"rules": error}, status=400)


# -- Integration clients ----------------------------------------------------------------------


async def _clients_page(
    visit: Visit,
    *,
    typed: Form | None = None,
    errors: dict[str, str] | None = None,
    secret: str = "",
    created: str = "",
    status: int = 200,
) -> Template:
    clients = await visit.call(integrations.list_integration_clients)
    return visit.page(
        "admin/clients.html",
        status_code=status,
        clients=clients,
        roles=[{"value": role.value, "label": visit.t(key)} for role, key in CLIENT_ROLES.items()],
        role_names={role.value: visit.t(key) for role, key in CLIENT_ROLES.items()},
        typed=typed or {"role": Role.VIEWER.value, "operations": "report"},
        errors=errors or {},
        secret=secret,
        created=created,
    )


@get("/admin/clients", include_in_schema=False)
async def clients_page(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    return await _clients_page(await open_visit(request, db_session))


@post("/admin/clients", include_in_schema=False)
async def create_client(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/admin/clients")
    operations = [name for name in form.get("operations", "").replace(",", " ").split() if name]
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        role = Role.MENTEE  # refused by the service as a role a client may not have
    try:
        client, secret = await visit.call(
            integrations.create_integration_client, form.get("name", ""), role, operations, known_operations()
        )
    except DomainError as error:
        if error.field is None:
            raise
        message = visit.t(error.message_key, **error.params)
        return await _clients_page(visit, typed=form, errors={error.field: message}, status=400)
    # The secret is on this page only: it is not kept, and a reload does not show it.
    return await _clients_page(visit, secret=secret, created=str(client.id))


@post("/admin/clients/{client_id:str}/revoke", include_in_schema=False)
async def revoke_client(
    request: Request[Any, Any, Any], db_session: AsyncSession, client_id: str
) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/admin/clients")
    await visit.call(integrations.revoke_integration_client, record_id(client_id))
    return visit.redirect("/admin/clients")


# -- Members ----------------------------------------------------------------------------------


async def _members_page(
    visit: Visit,
    *,
    typed: Form | None = None,
    errors: dict[str, str] | None = None,
    added: str = "",
    status: int = 200,
) -> Template:
    _own(visit.me)
    return visit.page(
        "admin/members.html",
        status_code=status,
        roles=[{"value": role.value, "label": visit.t(f"web.role.{role.value}")} for role in MEMBER_ROLES],
        typed=typed or {"role": Role.COORDINATOR.value},
        errors=errors or {},
        added=added,
    )


@get("/admin/members", include_in_schema=False)
async def members_page(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    return await _members_page(await open_visit(request, db_session))


@post("/admin/members", include_in_schema=False)
async def add_member(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/admin/members")
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        message = visit.t("web.admin.members.unknown_role")
        return await _members_page(visit, typed=form, errors={"role": message}, status=400)
    try:
        await visit.call(accounts.add_member, form.get("email", ""), form.get("displayName", ""), role, None)
    except DomainError as error:
        if error.code in {"FORBIDDEN", "NOT_FOUND"}:
            raise
        message = visit.t(error.message_key, **error.params)
        field = {"email": "email", "display_name": "displayName", "displayName": "displayName"}.get(
            error.field or "", "email"
        )
        return await _members_page(visit, typed=form, errors={field: message}, status=400)
    return await _members_page(visit, added=form.get("email", ""))


# -- Single sign-on --------------------------------------------------------------------------

SIGN_ON_FIELDS = ("issuer", "clientId", "newMemberRole")


async def _sign_on_page(
    visit: Visit, *, typed: Form | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    provider = await visit.call(sign_on.get_provider)
    if typed is None:
        typed = {"issuer": "", "clientId": "", "newMemberRole": Role.MENTOR.value, "enabled": "on"}
        if provider is not None:
            typed = {
                "issuer": provider.issuer,
                "clientId": provider.client_id,
                "newMemberRole": provider.new_member_role.value,
                **({"enabled": "on"} if provider.enabled else {}),
            }
    # The client secret is never shown again, not even here: the page says one is kept.
    return visit.page(
        "admin/sign_on.html",
        status_code=status,
        provider=provider,
        callback=callback_url(visit.settings),
        roles=[
            {"value": role.value, "label": visit.t(f"web.role.{role.value}")}
            for role in MEMBER_ROLES
            if role in sign_on.GRANTABLE_ROLES
        ],
        typed=typed,
        errors=errors or {},
        saved=visit.request.query_params.get("saved", ""),
    )


@get("/admin/sign-on", include_in_schema=False)
async def sign_on_page(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    return await _sign_on_page(await open_visit(request, db_session))


@post("/admin/sign-on", include_in_schema=False)
async def configure_sign_on(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/admin/sign-on")
    typed = {name: form.get(name, "") for name in SIGN_ON_FIELDS} | (
        {"enabled": "on"} if "enabled" in form else {}
    )
    try:
        role = Role(form.get("newMemberRole", ""))
    except ValueError:
        role = Role.ORG_ADMIN  # refused by the service as a role sign-on may not grant
    try:
        await visit.call(
            sign_on.configure_provider,
            visit.settings.derived_key(sign_on.SEALING_PURPOSE),
            issuer=form.get("issuer", ""),
            client_id=form.get("clientId", ""),
            client_secret=form.get("clientSecret", "") or None,
            new_member_role=role,
            enabled="enabled" in form,
        )
    except DomainError as error:
        if error.field is None:
            raise
        message = visit.t(error.message_key, **error.params)
        # What was typed is kept, except the secret, which is not sent back to the browser.
        return await _sign_on_page(visit, typed=typed, errors={error.field: message}, status=400)
    return visit.redirect("/admin/sign-on?saved=1")


@post("/admin/sign-on/remove", include_in_schema=False)
async def remove_sign_on(request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/admin/sign-on")
    await visit.call(sign_on.remove_provider)
    return visit.redirect("/admin/sign-on?saved=removed")


# -- Audit log --------------------------------------------------------------------------------


def _day(text: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time(), UTC)
    except ValueError:
        raise DomainError("INVALID_DATE", field=name) from None


async def _audit_page(visit: Visit, params: Any, *, check: audit.ChainCheck | None = None) -> Template:
    typed = {name: str(params.get(name) or "") for name in ("action", "since", "until")}
    errors: dict[str, str] = {}
    events: list[Any] = []
    total = 0
    try:
        action = AuditAction(typed["action"]) if typed["action"] else None
    except ValueError:
        action = None
        errors["action"] = visit.t("web.admin.audit.unknown_action")
    try:
        since = _day(typed["since"], "since")
        until = _day(typed["until"], "until")
        # The "until" day is included: the service's bound is the next midnight.
        filters = audit.AuditFilter(
            action=action, since=since, until=until + timedelta(days=1) if until else None
        )
        if not errors:
            events, total = await visit.call(audit.list_audit_events, filters=filters, limit=AUDIT_PAGE)
    except DomainError as error:
        if error.field not in {"since", "until"}:
            raise
        errors[str(error.field)] = visit.t(error.message_key, **error.params)
    return visit.page(
        "admin/audit.html",
        status_code=400 if errors else 200,
        typed=typed,
        errors=errors,
        actions=[{"value": value.value, "label": visit.t(key)} for value, key in AUDIT_ACTIONS.items()],
        action_names={value.value: visit.t(key) for value, key in AUDIT_ACTIONS.items()},
        events=events,
        total=total,
        check=check,
    )


@get("/admin/audit", include_in_schema=False)
async def audit_page(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    return await _audit_page(await open_visit(request, db_session), request.query_params)


@post("/admin/audit/verify", include_in_schema=False)
async def verify_audit(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/admin/audit")
    check = await visit.call(audit.verify_audit_trail)
    return await _audit_page(visit, form, check=check)


ROUTES = [
    overview,
    set_plugin,
    program_page,
    save_matching,
    save_rules,
    clients_page,
    create_client,
    revoke_client,
    members_page,
    add_member,
    sign_on_page,
    configure_sign_on,
    remove_sign_on,
    audit_page,
    verify_audit,
]
