"""The fault-injection harness of SYNC_DESIGN section 4: faulty transport, crashes, history and checkers."""
