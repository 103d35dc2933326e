"""Local stack tooling: the broker, the database and the five services as processes."""
