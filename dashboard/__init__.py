"""The dashboard: the figures across every app that say what needs a person, and the setup checklist."""
