"""Local store, outbox and sync engine: keeps a store working offline (standard library + sqlite-utils)."""
