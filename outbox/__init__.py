"""The outbox: every upstream write as a durable operation, its worker side, conflicts and retries."""
