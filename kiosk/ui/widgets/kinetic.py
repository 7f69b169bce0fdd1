"""Finger-drag scrolling with momentum (QScroller) for any scroll area, as on a phone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputDevice
from PySide6.QtWidgets import QAbstractItemView, QAbstractScrollArea, QScroller, QScrollerProperties

# Below this many pixels a press is a tap on a card, not the start of a drag.
DRAG_START_M = 0.004  # metres, as QScroller measures: about 15 px at 96 dpi
# How long a press is held back to see whether it becomes a drag: short enough that a tap feels instant.
PRESS_DELAY_S = 0.08


def has_touch_screen() -> bool:
    return any(device.type() == QInputDevice.DeviceType.TouchScreen for device in QInputDevice.devices())


def enable_kinetic_scrolling(area: QAbstractScrollArea, *, touch: bool | None = None) -> QScroller:
    """Make ``area`` scroll by dragging, with momentum; returns its scroller.

    ``touch`` picks real touch gestures (a touch screen) or left-button drags (a mouse, and touch
    screens whose driver sends mouse events); by default whichever the machine has. Item views are
    switched to per-pixel scrolling, since a fling that snaps to whole rows judders.
    """
    if isinstance(area, QAbstractItemView):
        area.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        area.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    gesture = (
        QScroller.ScrollerGestureType.TouchGesture
        if (has_touch_screen() if touch is None else touch)
        else QScroller.ScrollerGestureType.LeftMouseButtonGesture
    )
    viewport = area.viewport()
    QScroller.grabGesture(viewport, gesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.DragStartDistance, DRAG_START_M)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, PRESS_DELAY_S)
    # Overshoot repaints the whole viewport at every frame past the edge for little benefit on a kiosk.
    off = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy, off)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.VerticalOvershootPolicy, off)
    properties.setScrollMetric(
        QScrollerProperties.ScrollMetric.FrameRate, QScrollerProperties.FrameRates.Fps60
    )
    scroller.setScrollerProperties(properties)
    area.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
    return scroller


def disable_kinetic_scrolling(area: QAbstractScrollArea) -> None:
    QScroller.ungrabGesture(area.viewport())
