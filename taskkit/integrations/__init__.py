"""Adapters that let trainers and other engines drive taskkit episodes.

Each adapter is thin over the public episode API (:class:`taskkit.sim.episode.Episode`),
imports its engine only when used, and is tested for verdicts equal to
:func:`taskkit.runs.episodes.run_episode`'s:

- :mod:`taskkit.integrations.tools`: a compiled task's tools as Python methods with real
  signatures and Google-style docstrings (what TRL reads);
- :mod:`taskkit.integrations.trl`: ``GRPOTrainer(environment_factory=...)``;
- :mod:`taskkit.integrations.gym`: a Gymnasium environment (``taskkit/Task-v0``).
"""
