"""Versions and version specifiers, without a dependency on ``packaging``.

Pack manifests state the taskkit versions they work with (``taskkit: ">=0.1"``) and the
packs they need (``requires: {core: ">=1.0,<2"}``) as PEP 440 specifiers. ``packaging`` is
not among taskkit's dependencies, so this module implements the part of PEP 440 that such
ranges use: the version grammar (with its normalisations: ``1.0-beta.1`` is ``1.0b1``), the
ordering, and the operators ``~= == != <= >= < > ===`` including ``==1.*`` prefix matches.

Pack versions are SemVer; most SemVer strings are also valid PEP 440 (``2.1.0-beta.1``,
``1.0.0+build.5``). The rest (``1.0.0-x.7``) compare by SemVer's own pre-release rules, so
that every pack version can be matched against a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "InvalidSpecifier",
    "InvalidVersion",
    "Specifier",
    "SpecifierSet",
    "Version",
    "parse_specifiers",
]

_PEP440 = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_SEMVER = re.compile(
    r"^(?P<release>\d+\.\d+\.\d+)(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_SPEC = re.compile(r"^\s*(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>[^\s,;]+)\s*$")

_INF = (float("inf"),)


class InvalidVersion(ValueError):
    """Not a PEP 440 or SemVer version."""


class InvalidSpecifier(ValueError):
    """Not a PEP 440 version specifier."""


@dataclass(frozen=True, eq=False)
class Version:
    """A parsed version; instances order as PEP 440 (SemVer pre-releases as SemVer)."""

    text: str
    epoch: int
    release: tuple[int, ...]
    pre: tuple[Any, ...] | None
    """``(rank, n)`` for PEP 440 pre-releases, ``(9, identifiers...)`` for SemVer ones."""
    post: int | None
    dev: int | None
    local: str | None

    @classmethod
    def parse(cls, text: str) -> Version:
        m = _PEP440.match(text)
        if m is not None:
            pre = None
            if m["pre_l"]:
                pre = (_PRE_RANK[m["pre_l"].lower()], int(m["pre_n"] or 0))
            post_n = m["post_n1"] or m["post_n2"]
            post = int(post_n or 0) if m["post"] else None
            return cls(
                text,
                int(m["epoch"] or 0),
                tuple(int(p) for p in m["release"].split(".")),
                pre,
                post,
                int(m["dev_n"] or 0) if m["dev"] else None,
                m["local"].lower() if m["local"] else None,
            )
        s = _SEMVER.match(text.strip())
        if s is None:
            raise InvalidVersion(f"{text!r} is not a version")
        # A SemVer pre-release PEP 440 cannot spell (``1.0.0-x.7``): rank it after every
        # PEP 440 pre-release tag and order its identifiers as SemVer does (numbers first).
        ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in s["pre"].split("."))
        release = tuple(int(p) for p in s["release"].split("."))
        return cls(text, 0, release, (9, *ids), None, None, None)

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    def release_key(self) -> tuple[int, ...]:
        """Epoch and release without trailing zeros: ``1.0`` and ``1.0.0`` are the same."""
        release = list(self.release)
        while len(release) > 1 and release[-1] == 0:
            release.pop()
        return (self.epoch, *release)

    def _key(self) -> tuple[Any, ...]:
        if self.pre is None and self.post is None and self.dev is not None:
            pre: tuple[Any, ...] = (-1,)  # 1.0.dev1 < 1.0a1
        elif self.pre is None:
            pre = _INF
        else:
            pre = self.pre
        post: tuple[Any, ...] = (-1,) if self.post is None else (self.post,)
        dev: tuple[Any, ...] = _INF if self.dev is None else (self.dev,)
        return (self.release_key(), pre, post, dev, self.local or "")

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Version) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Version) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Version) -> bool:
        return self._key() >= other._key()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.text

    def public(self) -> Version:
        return Version(self.text, self.epoch, self.release, self.pre, self.post, self.dev, None)


@dataclass(frozen=True)
class Specifier:
    """One clause of a specifier, such as ``>=1.0`` or ``==2.*``."""

    op: str
    version: str

    def __str__(self) -> str:
        return f"{self.op}{self.version}"

    def contains(self, candidate: Version) -> bool:
        op, text = self.op, self.version
        if op == "===":
            return candidate.text.strip().lower() == text.lower()
        if text.endswith(".*"):
            prefix = Version.parse(text[:-2]).release
            head = (*candidate.release, *([0] * len(prefix)))[: len(prefix)]
            matched = candidate.epoch == Version.parse(text[:-2]).epoch and head == prefix
            return matched if op == "==" else not matched
        spec = Version.parse(text)
        if op == "~=":
            prefix = spec.release[:-1]
            head = (*candidate.release, *([0] * len(prefix)))[: len(prefix)]
            return candidate >= spec and head == prefix and candidate.epoch == spec.epoch
        plain = candidate if spec.local else candidate.public()
        if op == "==":
            return plain == spec
        if op == "!=":
            return plain != spec
        if op == "<=":
            return plain <= spec
        if op == ">=":
            return plain >= spec
        if op == "<":
            # PEP 440: <1.0 does not admit 1.0's own pre-releases.
            same = candidate.release_key() == spec.release_key() and not spec.is_prerelease
            return candidate < spec and not (same and candidate.is_prerelease)
        # op == ">": >1.0 admits neither 1.0's post-releases nor its local versions.
        same = candidate.release_key() == spec.release_key()
        post_of_spec = same and candidate.post is not None and spec.post is None
        return candidate > spec and not post_of_spec and plain != spec


@dataclass(frozen=True)
class SpecifierSet:
    """Comma-separated clauses, all of which must hold (an empty set admits everything)."""

    clauses: tuple[Specifier, ...]

    def __str__(self) -> str:
        return ",".join(map(str, self.clauses))

    def contains(self, version: Version | str) -> bool:
        """Whether ``version`` satisfies every clause.

        Pre-releases are admitted like any version: the question here is compatibility (does
        this taskkit, or this pack, fall in the range), not which release an installer should
        pick, so a ``0.2.0.dev1`` taskkit satisfies ``>=0.1``.
        """
        v = Version.parse(version) if isinstance(version, str) else version
        return all(c.contains(v) for c in self.clauses)


def parse_specifiers(text: str) -> SpecifierSet:
    """``">=1.0, <2"`` -> a :class:`SpecifierSet`; raises :class:`InvalidSpecifier`."""
    if not text.strip():
        return SpecifierSet(())
    clauses = []
    for part in text.split(","):
        m = _SPEC.match(part)
        if m is None:
            raise InvalidSpecifier(f"{part.strip()!r} is not a version clause like '>=1.0'")
        op, version = m["op"], m["version"]
        if op != "===":
            wildcard = version.endswith(".*")
            if wildcard and op not in ("==", "!="):
                raise InvalidSpecifier(f"{op}{version}: only == and != take a '.*' suffix")
            try:
                parsed = Version.parse(version[:-2] if wildcard else version)
            except InvalidVersion:
                raise InvalidSpecifier(
                    f"{version!r} in {part.strip()!r} is not a version"
                ) from None
            if op == "~=" and len(parsed.release) < 2:
                raise InvalidSpecifier(f"{op}{version}: '~=' needs at least two components")
        clauses.append(Specifier(op, version))
    return SpecifierSet(tuple(clauses))
