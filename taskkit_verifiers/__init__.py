"""The taskset ``taskkit-verifiers`` for Prime Intellect's ``verifiers``: its loader imports a
taskset by id as a top-level module and takes the ``Taskset`` (and ``Harness``) subclass its
``__all__`` exports. Everything lives in :mod:`taskkit.integrations.verifiers`."""

from taskkit.integrations.verifiers import TaskkitHarness, TaskkitTaskset

__all__ = ["TaskkitHarness", "TaskkitTaskset"]
