"""Self-exploration data generation: sample, score, continue along passing samples, and
export SFT and DPO datasets and pass-rate reports (``taskkit generate``)."""

from __future__ import annotations

from .explore import ExploreConfig, explore_episode
from .export import export_all
from .run import GenerateConfig, generate

__all__ = ["ExploreConfig", "GenerateConfig", "explore_episode", "export_all", "generate"]
