"""Operating Review Gate: /metrics (with the gauges read from the database), the setup doctor (command and staff
page), the retention purge, queue-worker heartbeats, and carrying log ids from a request into the tasks it queues."""
