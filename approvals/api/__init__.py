"""Review Gate's JSON API (DRF): list, read and decide tickets. Mounted under /api/v1/ by config.urls."""
