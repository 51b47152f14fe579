"""Alerts: the portal tells the right person when a station, a write or a refresh needs them (issue 28)."""
