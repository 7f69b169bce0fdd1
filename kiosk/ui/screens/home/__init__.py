"""The start screen: the store, the catalog at a glance, and what to do when the device is not ready."""
