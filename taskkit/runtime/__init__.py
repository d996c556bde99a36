"""How taskkit uses the process: lazy imports, bounded memos, worker pools."""
