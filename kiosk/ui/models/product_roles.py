"""Item-data roles of product items, shared by the models that fill them and the delegates that paint them."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from PySide6.QtCore import Qt

_BASE = int(Qt.ItemDataRole.UserRole)


class ProductRole(IntEnum):
    SKU = _BASE + 1
    NAME = _BASE + 2  # str, in the display language
    BRAND = _BASE + 3  # str
    PRICE_TEXT = _BASE + 4  # str, already formatted for the store's locale and currency
    RATING = _BASE + 5  # float 0..5
    RATING_COUNT = _BASE + 6  # int
    AVAILABILITY = _BASE + 7  # Availability value (str)
    IMAGE_HUE = _BASE + 8  # float 0..1: the placeholder image's colour until real images load
    IMAGE_PATH = _BASE + 9  # str: the product's first image on the central API, or None
    LOADING = _BASE + 10  # bool: the cell's product is still being read; a skeleton card is drawn
    CARD = _BASE + 11  # the whole card (product_grid_model.GridCard), so a delegate reads it in one call


class Availability(StrEnum):
    IN_STOCK = "in_stock"
    LOW_STOCK = "low_stock"
    OUT_OF_STOCK = "out_of_stock"
    ELSEWHERE = "elsewhere"  # not here, but in another store or a warehouse
    UNKNOWN = "unknown"  # no stock figure yet: no badge is drawn
