"""The API against its own /openapi.json (schemathesis): whatever a client sends that the
schema allows, or nearly allows, no response is a 5xx. Run as an analyst and as a
viewer (whose redaction step must not break any response model)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from tests.web.conftest import WebCase

pytestmark = pytest.mark.slow
EXAMPLES = 15


@pytest.fixture(scope="session")
def web_schema(app: Any, wcase: WebCase) -> Any:
    token = wcase.tokens["analyst"]
    return schemathesis.openapi.from_asgi(
        "/openapi.json", app, headers={"Authorization": f"Bearer {token}"}
    )


def _operations(web_schema: Any) -> list[Any]:
    return [result.ok() for result in web_schema.get_all_operations()]


def _run(web_schema: Any, token: str) -> list[str]:
    """Every operation, a bounded number of generated requests each; the 5xx found."""
    failures: list[str] = []
    for operation in _operations(web_schema):

        @given(operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()
    return failures


def test_the_schema_covers_every_api_route(web_schema: Any) -> None:
    paths = {op.path for op in _operations(web_schema)}
    assert {"/api/v1/search", "/api/v1/review/next", "/api/v1/review/{pair_id}/decision",
            "/api/v1/jobs", "/api/v1/persons/{person_id}"} <= paths  # fmt: skip


def test_no_server_error_as_analyst(web_schema: Any, wcase: WebCase) -> None:
    assert _run(web_schema, wcase.tokens["analyst"]) == []


def test_no_server_error_as_viewer(web_schema: Any, wcase: WebCase) -> None:
    assert _run(web_schema, wcase.tokens["viewer"]) == []
