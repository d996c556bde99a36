"""The pack's handler: lint reads it (it exists, its signature fits); nothing imports it
unless the pack is trusted."""


def buy_item(args, state):
    state.setdefault("orders", []).append({"item_id": args["item_id"], "qty": args["qty"]})
    return {"ok": True}
