"""Bulk generation over feeds (read and written by copyassist.feeds): the outcome writer, a durable
store, a rate limiter, the runner."""
