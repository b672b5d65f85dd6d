"""Background jobs that are not one ticket's task: the periodic sweeper, the schedules, worker start-up.

Each step calls services; nothing here writes a model itself.
"""
