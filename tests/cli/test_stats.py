"""`taskkit stats` on the bundled library shows the counts the library promises."""

from __future__ import annotations

import json

from click.testing import CliRunner

from taskkit.cli.main import cli
from tests.conftest import LIBRARY, REPO


def test_the_bundled_library_is_at_the_seed_scale():
    result = CliRunner().invoke(
        cli, ["stats", *map(str, LIBRARY), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0
    stats = json.loads(result.output)
    if LIBRARY[0] != REPO / "task_library":
        return  # another library: the promises below are the bundled one's
    assert stats["tasks"] >= 40 and stats["entries"] >= 400
    for category in ("data", "database", "tools", "entertainment", "sciences"):
        assert stats["categories"][category] >= 4, category
    assert stats["steps"]["multi-step"] * 2 >= stats["tasks"]
    assert stats["effects"]["write"] * 4 >= stats["tasks"]
    assert stats["features"]["distractors"] > 0 and stats["features"]["faults"] > 0
    assert set(stats["difficulties"]) == {"easy", "medium", "hard"}


def test_the_table_names_every_pack():
    result = CliRunner().invoke(cli, ["stats", *map(str, LIBRARY)], catch_exceptions=False)
    for pack in ("home", "sqlshop", "science"):
        assert pack in result.output
