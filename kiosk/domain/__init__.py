"""The app's domain: plain values and rules, no IO (shared rules live in retail_rules)."""
