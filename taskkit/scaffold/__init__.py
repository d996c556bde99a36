"""``taskkit new``: lint-clean documents and pack repositories."""
