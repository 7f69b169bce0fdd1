"""Pull pages say how far a stream goes (``stream_version``), so a client can show a first load's progress."""

from __future__ import annotations

from sqlalchemy import func, select

from central import schema
from tests.central.conftest import Central, auth


def test_every_page_names_the_streams_newest_version(central: Central) -> None:
    token = central.device_token("kiosk")
    with central.db.read() as conn:
        newest = max(
            int(conn.execute(select(func.max(schema.products.c.version))).scalar_one()),
            int(conn.execute(select(func.max(schema.categories.c.version))).scalar_one()),
        )
        counter = int(conn.execute(select(schema.version_counter.c.value)).scalar_one())
    cursor = ""
    versions: list[int] = []
    while True:
        response = central.client.get(
            "/v1/sync/pull", params={"stream": "catalog", "cursor": cursor, "limit": 97}, headers=auth(token)
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["stream_version"] == newest
        assert page["server_version"] == counter
        versions.append(int(page["next_cursor"].removeprefix("v1.")))
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert len(versions) > 1
    assert versions[-1] == newest  # the last page reaches it: progress ends at exactly 1.0
    # The stock stream's own newest version, not the catalog's nor the server's counter.
    stock = central.client.get(
        "/v1/sync/pull", params={"stream": "stock:CZ-PRG-01", "limit": 1}, headers=auth(token)
    ).json()
    with central.db.read() as conn:
        newest_stock = conn.execute(
            select(func.max(schema.stock.c.version)).where(schema.stock.c.location_id == "CZ-PRG-01")
        ).scalar_one()
    assert stock["stream_version"] == newest_stock
