"""Associate sign-in on a kiosk (badge, or employee id + PIN) and the gate in front of associate screens."""
