"""The product page's parts: the swipeable gallery, the review model (qtmodeltester) and its delegate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLocale, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QListView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from kiosk.ui.models.review_delegate import ReviewDelegate
from kiosk.ui.models.review_list_model import ReviewListModel, ReviewRole
from kiosk.ui.widgets.gallery import DRAG_START_PX, Gallery
from kiosk.ui.widgets.star_rating import RatingBar, StarRating
from offline_cache.product_view import Review

PATHS = ("/v1/images/A/0.jpg", "/v1/images/A/1.jpg", "/v1/images/A/2.jpg")


def png() -> bytes:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("navy"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


@pytest.fixture
def gallery(qtbot: QtBot, qapp: QApplication) -> Gallery:
    widget = Gallery()
    qtbot.addWidget(widget)
    widget.resize(600, 450)
    widget.show()
    return widget


def swipe(qtbot: QtBot, gallery: Gallery, dx: int) -> None:
    start = QPoint(gallery.width() // 2, gallery.height() // 3)
    qtbot.mousePress(gallery, Qt.MouseButton.LeftButton, pos=start)
    steps = 6
    for step in range(1, steps + 1):
        qtbot.mouseMove(gallery, start + QPoint(dx * step // steps, 0))
    qtbot.mouseRelease(gallery, Qt.MouseButton.LeftButton, pos=start + QPoint(dx, 0))


def test_the_gallery_asks_for_the_images_it_is_about_to_show(gallery: Gallery) -> None:
    wanted: list[str] = []
    gallery.image_wanted.connect(wanted.append)
    gallery.set_images(PATHS)
    assert wanted == [PATHS[0], PATHS[1]]  # the one on screen and the next one a swipe shows
    gallery.show_next()
    assert wanted == list(PATHS)
    gallery.show_previous()
    assert wanted == list(PATHS)  # asked once each, however often shown
    assert gallery.accessibleDescription() == "Image 1 of 3"


def test_swipes_turn_pages_and_short_drags_do_not(qtbot: QtBot, gallery: Gallery) -> None:
    moves: list[int] = []
    gallery.set_images(PATHS)
    gallery.current_changed.connect(moves.append)
    swipe(qtbot, gallery, -250)
    assert gallery.current == 1
    swipe(qtbot, gallery, -250)
    swipe(qtbot, gallery, -250)  # past the last image: nothing to turn to
    assert gallery.current == 2
    swipe(qtbot, gallery, DRAG_START_PX - 2)  # a tap, not a swipe
    swipe(qtbot, gallery, 250)
    assert gallery.current == 1
    assert moves == [1, 2, 1]


def test_arrows_and_keys_for_mouse_and_keyboard_users(qtbot: QtBot, gallery: Gallery) -> None:
    gallery.set_images(PATHS)
    back = gallery.findChild(QAbstractButton, "productGalleryPrevious")
    forward = gallery.findChild(QAbstractButton, "productGalleryNext")
    assert back is not None
    assert forward is not None
    assert not back.isEnabled()
    qtbot.mouseClick(forward, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(forward, Qt.MouseButton.LeftButton)
    assert gallery.current == 2
    assert not forward.isEnabled()
    qtbot.keyClick(gallery, Qt.Key.Key_Left)
    assert gallery.current == 1
    assert back.accessibleName() == "Previous image"
    gallery.set_images(PATHS[:1])
    assert not back.isVisible()  # one image: nothing to page through
    assert not forward.isVisible()


def test_images_replace_placeholders_and_bad_bytes_change_nothing(gallery: Gallery) -> None:
    gallery.set_images(PATHS)
    assert gallery.set_image_data(PATHS[0], png())
    assert not gallery.set_image_data(PATHS[1], b"<html>not an image</html>")
    assert not gallery.set_image_data("/v1/images/B/0.jpg", png())  # not this gallery's
    assert gallery.has_image(PATHS[0])
    assert not gallery.has_image(PATHS[1])
    gallery.grab()  # paints the image, the placeholders and the dots without complaint
    gallery.set_images(PATHS[:2])
    assert gallery.has_image(PATHS[0])  # kept while it is still in the list


def reviews(n: int) -> list[Review]:
    return [
        Review(
            review_id=f"R{i}",
            rating=1 + i % 5,
            language="cs" if i % 2 else "pl",
            author=f"Author {i}",
            title=f"Title {i}",
            body=("Word " * (5 + 40 * (i % 3))).strip(),
            created_at=datetime(2026, 3, 1 + i, 12, 0, tzinfo=UTC),
            verified_purchase=i % 2 == 0,
            helpful=i,
        )
        for i in range(n)
    ]


def test_review_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ReviewListModel()
    model.set_reviews(reviews(7), QLocale("cs_CZ"))
    qtmodeltester.check(model)
    index = model.index(2, 0)
    assert index.data() == "Title 2"
    assert index.data(ReviewRole.RATING) == 3
    assert index.data(ReviewRole.LANGUAGE) == "pl"
    assert index.data(ReviewRole.VERIFIED) is True
    assert index.data(ReviewRole.DATE_TEXT) == QLocale("cs_CZ").toString(
        datetime(2026, 3, 3, 12, 0, tzinfo=UTC).astimezone().date(), QLocale.FormatType.ShortFormat
    )
    assert str(index.data(Qt.ItemDataRole.AccessibleTextRole)).startswith("3 of 5 stars. Title 2")
    assert not (model.flags(index) & Qt.ItemFlag.ItemIsSelectable)
    assert model.roleNames()[int(ReviewRole.BODY)].data() == b"body"


def test_review_model_resets_only_on_change(qtbot: QtBot) -> None:
    model = ReviewListModel()
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_reviews(reviews(3), QLocale("en_GB"))
    model.set_reviews(reviews(3), QLocale("en_GB"))
    model.set_reviews(reviews(3), QLocale("cs_CZ"))  # dates read differently
    assert len(resets) == 2


def test_review_rows_grow_with_their_text_and_paint(qtbot: QtBot, qapp: QApplication) -> None:
    view = QListView()
    qtbot.addWidget(view)
    view.resize(700, 600)
    model = ReviewListModel(view)
    model.set_reviews(reviews(6), QLocale("en_GB"))
    view.setModel(model)
    view.setItemDelegate(ReviewDelegate(lambda: view.viewport().width(), view))
    view.show()
    short, long = view.sizeHintForRow(0), view.sizeHintForRow(1)  # 5 words, 45 words
    assert long > short > 0
    view.resize(350, 600)
    assert view.sizeHintForRow(1) > long  # narrower: more lines
    view.grab()


def test_star_widgets(qtbot: QtBot, qapp: QApplication) -> None:
    stars = StarRating("productRatingStars")
    qtbot.addWidget(stars)
    stars.set_rating(3.5)
    assert stars.rating == 3.5
    stars.grab()
    bar = RatingBar("productStarFilter4", 4)
    qtbot.addWidget(bar)
    bar.resize(300, 48)
    bar.show()
    bar.set_counts(7, 20)
    toggled: list[bool] = []
    bar.toggled.connect(toggled.append)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton)
    assert toggled == [True]
    assert (bar.stars, bar.count) == (4, 7)
    bar.grab()
