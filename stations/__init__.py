"""Stations: the mirror of charging stations, their EVSEs and connectors, and the write path."""
