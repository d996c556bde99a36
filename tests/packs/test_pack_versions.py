"""PEP 440 specifiers and versions, as pack manifests use them (no `packaging` needed)."""

from __future__ import annotations

import pytest
from packs_helpers import isolated  # noqa: F401 - the autouse fixture

from taskkit.packs.versions import InvalidSpecifier, InvalidVersion, Version, parse_specifiers


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
        (">=0.1", "0.1.0", True),
        (">=0.1", "0.0.9", False),
        (">=1.0,<2", "1.4.0", True),
        (">=1.0,<2", "2.0.0", False),
        (">=1.0, <2", "1.99.99", True),
        ("~=1.4", "1.9", True),
        ("~=1.4", "2.0", False),
        ("~=1.4.2", "1.4.9", True),
        ("~=1.4.2", "1.5.0", False),
        ("==1.*", "1.7.3", True),
        ("==1.*", "2.0", False),
        ("!=1.3.*", "1.3.1", False),
        ("==1.0", "1.0.0", True),
        ("==1.0", "1.0.0+local", True),
        ("<2.0", "2.0rc1", False),
        (">1.0", "1.0.post1", False),
        (">1.0", "1.0.1", True),
        (">=2.0b1", "2.0rc1", True),
        (">=0.1", "0.2.0.dev1", True),  # compatibility, not installer selection
        (">=2.0", "2.1.0-beta.1", True),  # SemVer pre-releases as PEP 440 reads them
        (">=1.0.0", "1.0.0-x.7", False),  # SemVer pre-release PEP 440 cannot spell: before 1.0.0
        ("===1.0", "1.0", True),
        ("", "9.9", True),
    ],
)
def test_specifier_contains(spec: str, version: str, expected: bool) -> None:
    assert parse_specifiers(spec).contains(version) is expected


@pytest.mark.parametrize("spec", ["^0.1", "1.x", ">=", ">=1.0;", "~=1", ">=1.*", "=>1.0"])
def test_invalid_specifiers_are_refused_with_a_message(spec: str) -> None:
    with pytest.raises(InvalidSpecifier) as info:
        parse_specifiers(spec)
    assert str(info.value)


def test_versions_order_as_pep440() -> None:
    order = ["1.0.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.1", "1!0.1"]
    shuffled = [order[i] for i in (3, 7, 0, 5, 1, 6, 2, 4)]
    assert sorted(shuffled, key=Version.parse) == order
    assert Version.parse("1.0") == Version.parse("1.0.0")
    assert Version.parse("1.0.0-alpha") < Version.parse("1.0.0")
    with pytest.raises(InvalidVersion):
        Version.parse("one")
