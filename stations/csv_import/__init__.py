"""Bulk creation of stations from a CSV file: read, validate every row, confirm, follow progress.

``format`` reads files and knows the columns; ``validate`` checks rows with
the create form's rules without calling any upstream; ``services`` stores
jobs and sends the good rows through the same write path as the form.
"""
