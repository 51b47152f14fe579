"""Bulk changes to stations: a selection, an action, a stored preview, one confirmed batch of writes."""
