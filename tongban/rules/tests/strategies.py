"""Hypothesis strategies for person facts around a UI-benefit claim."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from tongban.core.months import add_months
from tongban.rules.facts import Contest, Determination, PersonFacts, Registration, Spell
from tongban.rules.tests.builders import months_from

REGIONS = (
    "460100", "460200", "460300", "460400", "469001", "469002", "469005", "469006", "469007",
    "469021", "469022", "469023", "469024", "469025", "469026", "469027", "469028", "469029",
    "469030",
)  # fmt: skip

regions = st.sampled_from(REGIONS)
as_of_dates = st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def claimants(
    draw: st.DrawFn, *, months: int | None = None, as_of: date | None = None
) -> tuple[PersonFacts, date]:
    """A person separated before ``as_of`` with some contribution history, and ``as_of``."""
    as_of = as_of or draw(as_of_dates)
    end = add_months(as_of.replace(day=1), -draw(st.integers(0, 6)))
    total = months if months is not None else draw(st.integers(0, 320))
    first_region, second_region = draw(regions), draw(regions)
    split = draw(st.integers(0, total))
    start = add_months(end, -total)
    contributions = months_from(start, split, first_region) + months_from(
        add_months(start, split), total - split, second_region
    )
    involuntary = draw(st.sampled_from([True, True, True, False, None]))
    contest = None
    if involuntary is False:
        contest = draw(
            st.one_of(
                st.none(),
                st.builds(
                    Contest,
                    st.just("employer_proposed_agreed"),
                    st.sampled_from(["pending", "upheld", "rejected"]),
                ),
            )
        )
    spells = (
        Spell(
            second_region,
            "employer",
            min(start, end),
            end,
            "contract_expired" if involuntary else "voluntary_resignation",
            involuntary,
            contest,
        ),
    )
    determinations: tuple[Determination, ...] = ()
    if draw(st.booleans()):
        determined_on = add_months(start, draw(st.integers(-24, max(-24, total - 1))))
        granted = draw(st.sampled_from([12, 18, 24]))
        paid = draw(st.integers(0, granted))
        determinations = (Determination(determined_on, granted, paid, draw(st.integers(12, 120))),)
    registered = draw(st.booleans())
    registrations = (
        (
            Registration(
                "unemployment", second_region, draw(st.dates(min_value=end, max_value=as_of))
            ),
        )
        if registered and end <= as_of
        else ()
    )
    facts = PersonFacts(
        birth_date=date(1980, 1, 1),
        sex=draw(st.sampled_from(["M", "F"])),
        insured_region_code=draw(st.one_of(st.just(second_region), regions)),
        contributions=contributions,
        spells=spells,
        determinations=determinations,
        registrations=registrations,
    )
    return facts, as_of
