"""Tests of the kiosk app: services, API client, presenters, views, and the app end to end."""
