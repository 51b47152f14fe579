"""Models connector against the simulator: cursor pages, filters, create, rename, archive."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Callable

import pytest

from upstreams import Conflict, Forbidden, NotFound, Rejected
from upstreams.models_api import ModelConnector, ModelsConnector, StationModel


@pytest.fixture
def models(make: Callable[..., Any]) -> ModelsConnector:
    return make("models", page_size=4)


def _new_model(**overrides: Any) -> StationModel:
    model = StationModel(
        vendor="TestVendor",
        model=f"TM-{uuid.uuid4().hex[:8]}",
        friendly_name="Test model",
        power_type="DC",
        connectors=(ModelConnector(1, "IEC_62196_T2_COMBO", "CABLE", 200, 920, 150000),
                    ModelConnector(2, "CHADEMO", "CABLE", 125, 500, 50000)),
        ocpp_url="wss://ocpp.example.test/ws",
        image_url="https://img.example.test/tm.png",
    )
    return replace(model, **overrides)


def test_cursor_pages_each_model_once(models: ModelsConnector) -> None:
    pages = list(models.list_models())
    ids = [m.id for p in pages for m in p.items]
    assert len(pages) > 2
    assert len(ids) == len(set(ids))
    assert not any(m.is_archived for p in pages for m in p.items)  # isArchived defaults to false
    assert pages[-1].next is None and all(p.next for p in pages[:-1])


def test_filters(models: ModelsConnector) -> None:
    vendor = next(models.list_models().items()).vendor
    by_vendor = models.list_models(vendor=vendor).all()
    assert by_vendor and {m.vendor for m in by_vendor} == {vendor}
    one = by_vendor[0]
    assert one.id in {m.id for m in models.list_models(vendor=vendor, model=one.model).items()}


def test_get_matches_list(models: ModelsConnector) -> None:
    listed = next(models.list_models().items())
    assert models.get_model(str(listed.id)) == listed


def test_get_unknown_is_not_found(models: ModelsConnector) -> None:
    with pytest.raises(NotFound):
        models.get_model("no-such-model")


def test_create_rename_archive(models: ModelsConnector) -> None:
    new = _new_model()
    created = models.create_model(new)
    assert created.id and not created.is_archived
    assert replace(created, id=None, created_at=None, updated_at=None) == new
    assert models.get_model(created.id) == created

    renamed = models.rename_model(created.id, "Renamed model")
    assert renamed.friendly_name == "Renamed model"
    assert replace(renamed, friendly_name=new.friendly_name, updated_at=None) == replace(created, updated_at=None)

    archived = models.archive_model(created.id)
    assert archived.is_archived
    assert created.id not in {m.id for m in models.list_models().items()}
    assert created.id in {m.id for m in models.list_models(is_archived=True).items()}
    with pytest.raises(Conflict) as exc:
        models.rename_model(created.id, "too late")
    assert exc.value.current == archived


def test_too_long_field_is_rejected_with_field_message(models: ModelsConnector) -> None:
    with pytest.raises(Rejected) as exc:
        models.create_model(_new_model(vendor="x" * 201))
    assert "vendor" in exc.value.fields and exc.value.fields["vendor"]


def test_non_admin_cannot_create(make: Callable[..., Any], simulator: Any) -> None:
    user = make("models", credentials={"token": simulator.credentials["models"]["token"]})
    assert user.list_models().all()  # reading is allowed
    with pytest.raises(Forbidden) as exc:
        user.create_model(_new_model())
    assert exc.value.status == 403 and exc.value.retryable is False
