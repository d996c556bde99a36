"""Running agents on compiled tasks, and the pass-rate reports of the runs."""
