"""Property-based fuzzing of the served OpenAPI document: at least 1,000 requests, no 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from central.app import create_app
from central.auth import create_enrolment_key
from tests.central.conftest import SEED, fresh_sqlite

REQUESTS = 1200


@pytest.mark.slow
def test_no_server_errors_for_generated_requests(sqlite_template: Path, tmp_path: Path) -> None:
    from central import demo_data

    db = fresh_sqlite(sqlite_template, tmp_path)
    app = create_app(db)
    with TestClient(app) as client:
        tokens: list[str | None] = [None, "d.forged"]
        for role in ("kiosk", "associate", "eshop"):
            key = create_enrolment_key(db, "CZ-PRG-01", role)
            tokens.append(client.post("/v1/auth/device", json={"enrolment_key": key}).json()["token"])
        person = next(
            a for a in demo_data.associates(SEED) if a.store_id == "CZ-PRG-01" and a.role == "supervisor"
        )
        signed_in = client.post(
            "/v1/auth/associate",
            json={"badge": person.badge_code},
            headers={"Authorization": f"Bearer {tokens[3]}"},
        )
        tokens.append(signed_in.json()["token"])

    schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/v1/sync/events")
    strategy = schema.as_strategy(GenerationMode.POSITIVE) | schema.as_strategy(GenerationMode.NEGATIVE)
    seen: list[int] = []
    failures: list[str] = []

    @settings(max_examples=REQUESTS, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy, token=st.sampled_from(tokens))
    def fuzz(case: schemathesis.Case, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call(headers=headers)
        seen.append(response.status_code)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
            )

    try:
        fuzz()
    finally:
        db.dispose()
    print(f"schemathesis: {len(seen)} requests, statuses {sorted(set(seen))}, server errors {len(failures)}")
    assert not failures, "\n".join(failures[:10])
    assert len(seen) >= 1000
    assert any(200 <= s < 300 for s in seen)
