"""Small helpers shared by the test suites of every context."""

from __future__ import annotations

from tongban.core.actors import Actor

TEST_ACTOR = Actor.operator("test")
