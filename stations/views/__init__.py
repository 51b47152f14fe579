"""Station pages, one module per concern: ``browse`` (list, detail), ``edit`` (create, edit, conflicts)."""
