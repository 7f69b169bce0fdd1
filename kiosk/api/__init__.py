"""The central API seen from the app: wire types, errors by meaning, and the one HTTP client."""
