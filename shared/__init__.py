"""EstateDesk's shared library: the machinery every service uses the same way."""
