"""Maintenance windows of be.ENERGISED stations: mirror, refresh, writes, pages."""
