"""Without the ``train`` extra the training tests skip locally and fail under CI."""

from __future__ import annotations

import pytest
from tiny import TRAIN_MODULES, require_train_extra


def test_a_missing_extra_skips_locally_with_the_reason(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(
        pytest.skip.Exception, match=r"no (.*, )?taskkit_no_such_module\): pip install"
    ):
        require_train_extra([*TRAIN_MODULES, "taskkit_no_such_module"])


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_missing_extra_fails_under_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="under CI the training tests must run"):
        require_train_extra(["taskkit_no_such_module"])
