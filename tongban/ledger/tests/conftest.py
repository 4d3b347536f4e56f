import shutil
import sys
from pathlib import Path

import pytest

from tongban.core.testing import TEST_ACTOR
from tongban.ledger import services
from tongban.ledger.postings import Line


@pytest.fixture
def post():
    """Post a manual entry in a region's book: ``post("460100", date, [(code, d, c), ...])``."""

    def _post(region_code, entry_date, lines, **kwargs):
        kwargs.setdefault("description", "测试凭证")
        return services.entry_post(
            actor=TEST_ACTOR,
            region_code=region_code,
            entry_date=entry_date,
            lines=lines,
            **kwargs,
        )

    return _post


@pytest.fixture
def bean_check():
    """The path of bean-check, installed beside this interpreter by the dev dependencies."""
    path = Path(sys.executable).with_name("bean-check")
    return str(path) if path.exists() else shutil.which("bean-check")


__all__ = ["Line"]
