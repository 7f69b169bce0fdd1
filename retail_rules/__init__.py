"""Business rules shared by the app and the central server: money, GTINs, pickups, returns.

Pure Python with no IO, so that the kiosk (offline) and the central API (authoritative)
compute the same answers from the same code.
"""
