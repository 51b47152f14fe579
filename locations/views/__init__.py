"""Location pages (``pages``) and the network dashboard (``network``)."""
