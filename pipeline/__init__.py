"""bcmlp pipeline stages for visual metal-surface inspection (filled in by the pipeline issue)."""
