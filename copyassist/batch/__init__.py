"""Bulk generation over feeds: readers, writers, a durable store, a rate limiter, the runner."""
