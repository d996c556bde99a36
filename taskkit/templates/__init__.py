"""Jinja templates from packs: the sandboxed environment, lowering, rendering."""
