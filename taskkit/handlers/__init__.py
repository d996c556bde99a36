"""A pack's Python handlers: where their code is, and who may run it."""
