"""Per-workspace settings: the one place for a workspace's choices (tip language now; risk rule severities,
protected tables and the DataWorks API version later), edited in the admin."""
