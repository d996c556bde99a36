"""JSON Schema: taskkit's own (from the models), checking a pack's, validating."""
