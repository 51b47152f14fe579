"""The REST API (`/api/v1/`): the pages' services, selectors, scoping and roles, for scripts and other systems."""
