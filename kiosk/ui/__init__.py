"""Everything Qt: the main window, screens (view, presenter, state), item models and touch widgets."""
