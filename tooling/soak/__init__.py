"""The demo soak check (``make soak``): the demo under scripted browsing and writes (it drives the demo with :mod:`demo.driver`)."""
