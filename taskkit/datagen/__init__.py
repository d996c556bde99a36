"""Self-exploration data generation: sample, score, continue along passing samples, and
export SFT and DPO datasets and pass-rate reports (``taskkit generate``).

The names below are imported when first used: a rerun with nothing to do reads the run's
small files (:mod:`.resume`, :mod:`.store`) without loading the simulator and the agents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..runtime.lazy import lazy_exports

if TYPE_CHECKING:
    from .config import ExploreConfig, GenerateConfig
    from .explore import explore_episode
    from .export import export_all
    from .run import generate

__all__ = ["ExploreConfig", "GenerateConfig", "explore_episode", "export_all", "generate"]

__getattr__ = lazy_exports(
    __name__,
    {
        "ExploreConfig": ".config",
        "GenerateConfig": ".config",
        "explore_episode": ".explore",
        "export_all": ".export",
        "generate": ".run",
    },
)
