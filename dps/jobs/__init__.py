"""rq job functions: they take ids only, push an app context, and are safe to run twice."""
