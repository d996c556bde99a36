"""Read by lint with ast, never imported: importing it would fail loudly."""

raise RuntimeError("a pack's handler module was imported")


def credit(args, state):
    return {"ok": True}
