"""Use cases the views call: they take ids and plain values, write the audit record, and commit."""
