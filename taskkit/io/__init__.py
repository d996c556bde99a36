"""Reading and writing files: atomically, YAML and JSON lines, bounded, digested."""
