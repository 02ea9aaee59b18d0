"""The plugin manager, and asking hooks of the plugins an organization enabled."""

import importlib
import inspect
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any, cast

import pluggy
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import hookspecs
from core.errors import DomainError
from core.hookspecs import ActivityKind, ProgramType
from core.models import OrganizationPlugin, Program
from core.rules import CORE_FIELDS, RuleBook

# First-party plugins, registered by default under these names; they are written like
# any third-party plugin, which arrives through the ``tremplin`` entry-point group.
DEFAULT_PLUGINS = {
    "open": "plugins.open",
    "integrated": "plugins.integrated",
    "internal": "plugins.internal",
    "employer_sponsored": "plugins.employer_sponsored",
    "group": "plugins.group",
    "peer": "plugins.peer",
    "connector": "plugins.connector",
}
ENTRY_POINT_GROUP = "tremplin"


async def await_me_maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class PluginHost:
    def __init__(self, manager: pluggy.PluginManager):
        self.manager = manager
        self._program_types: dict[str, tuple[str, ProgramType]] | None = None
        self._rule_book: RuleBook | None = None

    @property
    def plugin_names(self) -> list[str]:
        return sorted(name for name, _ in self.manager.list_name_plugin())

    def program_types(self) -> dict[str, tuple[str, ProgramType]]:
        """Every program type offered by an installed plugin: key → (plugin name, type)."""
        if self._program_types is None:
            found: dict[str, tuple[str, ProgramType]] = {}
            for impl in self.manager.hook.register_program_types.get_hookimpls():
                # pluggy types every implementation as returning ``object``; see the hookspec.
                offered = cast("list[ProgramType] | None", impl.function())
                for program_type in offered or []:
                    found.setdefault(program_type.key, (impl.plugin_name, program_type))
            self._program_types = found
        return self._program_types

    def rule_book(self) -> RuleBook:
        """The fields eligibility rules may use: core's and every installed plugin's."""
        if self._rule_book is None:
            plugin_fields = [
                rule_field for fields in self.manager.hook.register_rule_fields() for rule_field in fields
            ]
            self._rule_book = RuleBook([*CORE_FIELDS, *plugin_fields])
        return self._rule_book

    def activity_kinds(self, program_type: str) -> dict[str, ActivityKind]:
        """Activities a mentorship of this program type may log besides meetings."""
        return {
            kind.key: kind
            for kinds in self.manager.hook.register_activity_kinds()
            for kind in kinds
            if program_type in kind.program_types
        }

    def program_type(self, key: str) -> tuple[str, ProgramType]:
        try:
            return self.program_types()[key]
        except KeyError:
            raise DomainError("UNKNOWN_PROGRAM_TYPE", field="programType", type=key) from None

    async def call(self, hook_name: str, enabled: Iterable[str], **kwargs: Any) -> list[Any]:
        """Call a hook on the enabled plugins only, awaiting whatever they return.
        None answers (a plugin saying "not mine") are dropped."""
        enabled = set(enabled)
        excluded = [plugin for name, plugin in self.manager.list_name_plugin() if name not in enabled]
        caller = self.manager.subset_hook_caller(hook_name, excluded)
        results = [await await_me_maybe(result) for result in caller(**kwargs)]
        return [result for result in results if result is not None]


def build_plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("tremplin")
    manager.add_hookspecs(hookspecs)
    for name, module_path in DEFAULT_PLUGINS.items():
        manager.register(importlib.import_module(module_path), name=name)
    manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    manager.check_pending()
    return manager


@cache
def get_plugin_host() -> PluginHost:
    return PluginHost(build_plugin_manager())


async def enabled_plugins(session: AsyncSession, organization_id: uuid.UUID) -> set[str]:
    rows = await session.scalars(
        select(OrganizationPlugin.plugin_name).where(
            OrganizationPlugin.organization_id == organization_id,
            col(OrganizationPlugin.enabled).is_(True),
        )
    )
    return set(rows)


async def notify(session: AsyncSession, hook_name: str, program: Program, **kwargs: Any) -> None:
    """Tell the program organization's enabled plugins about a lifecycle event, inside
    the use case's transaction."""
    enabled = await enabled_plugins(session, program.organization_id)
    await get_plugin_host().call(hook_name, enabled, session=session, program=program, **kwargs)
