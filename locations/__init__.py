"""Locations: the mirror of ChargEye locations and the network dashboard."""
