"""The demo soak check (``make soak``) and the harness that runs a demo from outside (also used by tests)."""
