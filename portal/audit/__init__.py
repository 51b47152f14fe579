"""The audit trail: who changed what and when, with the record before and after."""
