"""The screens of the app, one package each with view.py, presenter.py and state.py."""
