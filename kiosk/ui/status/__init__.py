"""The sync status strip at the bottom of every screen."""
