"""The catalogue of charging-station models (Lynkwell's asset-management API)."""
