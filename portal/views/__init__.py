"""Views of the project's own pages: dashboard, users, invitations."""
