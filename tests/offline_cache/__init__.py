"""Tests of the offline cache, outbox and sync engine."""
