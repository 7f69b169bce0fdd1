"""The catalog screen: category tree, facets, search as you type, scans, and a grid of a million cards."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for the annotations: importing the presenter (at start) must not build up the grid's modules,
    # which the app imports when the catalog is first opened.
    from kiosk.ui.screens.catalog.presenter import CatalogPresenter
    from kiosk.ui.screens.catalog.view import CatalogView


def connect_catalog(view: CatalogView, presenter: CatalogPresenter) -> None:
    """Wire a view to its presenter (the composition root calls this once both exist)."""
    view.set_hit_loader(presenter.window, presenter.elsewhere)
    presenter.state_changed.connect(view.render_state)
    view.text_edited.connect(presenter.type_text)
    view.category_chosen.connect(presenter.choose_category)
    view.facet_toggled.connect(presenter.toggle_facet)
    view.filters_cleared.connect(presenter.clear_filters)
    view.product_tapped.connect(presenter.open_product)
    view.code_scanned.connect(presenter.scanned)
    view.retry_requested.connect(presenter.retry)
    view.render_state(presenter.state)
