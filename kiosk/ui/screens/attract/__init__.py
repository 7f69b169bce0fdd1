"""The kiosk's attract screen (touch to start, language, high contrast) and the idle reset."""
