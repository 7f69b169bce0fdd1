"""The kiosk bag screen: lines with availability, quantities, and the handoff code for an associate."""
