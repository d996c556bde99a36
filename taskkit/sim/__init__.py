"""The simulator: verify, execute, evaluate, and the episode that strings them together."""
