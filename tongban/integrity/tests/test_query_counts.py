"""The checks are set-based: their queries do not grow with the rows of an import chunk."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.core.imports import import_file
from tongban.core.testing import TEST_ACTOR
from tongban.registry.tests.factories import EmployerFactory, PersonFactory, region

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 26)


def _queries(path, kind):
    with CaptureQueriesContext(connection) as captured:
        summary = import_file(kind=kind, path=path, actor=TEST_ACTOR, as_of=AS_OF)
    assert not summary.rejected, summary.lines()
    return len(captured.captured_queries)


@pytest.mark.parametrize("kind", ["contributions", "spells"])
def test_the_same_queries_for_ten_or_three_hundred_people(kind, tmp_path, recipient):
    person, _claim = recipient  # a recipient in every file: the checks look at them
    employer = EmployerFactory(region=region("460100"))
    counts = []
    for n, size in enumerate((10, 300)):
        people = [PersonFactory() for _ in range(size)] + [person]
        path = tmp_path / f"{kind}{n}.csv"
        if kind == "contributions":
            # months before the benefit: looked at, nothing found (the cost of looking is measured)
            rows = [
                f"{p.id_number},{employer.uscc},460100,2026-0{8 + n},500000,5000" for p in people
            ]
            header = "id_number,uscc,region_code,month,base_fen,amount_fen"
        else:
            other = EmployerFactory(region=region("469002"))
            rows = [f"{p.id_number},{other.uscc},469002,2026-11-0{n + 1}" for p in people[:-1]]
            header = "id_number,uscc,region_code,start_date"
        path.write_text(header + "\n" + "\n".join(rows) + "\n")
        counts.append(_queries(path, kind))
    assert counts[0] == counts[1], counts
