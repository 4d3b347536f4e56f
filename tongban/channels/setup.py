"""``tongban init``: the schema and every piece of reference data, loaded idempotently."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command

from tongban.cases.services import parameters_load
from tongban.catalogue.services import calendar_load, catalogue_load
from tongban.core.actors import Actor
from tongban.ledger.services import books_open, chart_load
from tongban.regions.services import reference_data_load
from tongban.registry.services import separation_reasons_load


def platform_init(
    *, actor: Actor, migrate: bool = True, say: Callable[[str], None] = print
) -> None:
    """Create or upgrade the schema, then load regions, offices, catalogue, calendar, policy
    parameters, codes and chart."""
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
        say("schema: up to date")
    regions = reference_data_load(actor=actor)
    say(f"regions: {regions.regions} regions with their funds, {regions.offices} offices")
    say(f"separation reasons: {separation_reasons_load(actor=actor)}")
    catalogue = catalogue_load(actor=actor)
    say(
        f"catalogue: version {catalogue.version}, {catalogue.items} items"
        + (" (new version)" if catalogue.created else " (unchanged)")
    )
    say(f"working-day calendar: {calendar_load(actor=actor)} days")
    say(f"policy parameters: version {parameters_load()} (read, checked and recorded)")
    chart = chart_load(actor=actor)
    say(
        f"chart of accounts: {chart.accounts} accounts"
        + (f", {chart.changed} changed" if chart.changed else " (unchanged)")
    )
    opened = books_open(actor=actor)
    say("books: one per fund" + (f", {opened} opened" if opened else " (unchanged)"))
