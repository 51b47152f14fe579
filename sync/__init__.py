"""The sync engine: refreshes that mirror the upstreams, their schedules, locks, runs and the removal brake."""
