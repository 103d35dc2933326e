"""What intake's commands take: their input models, one module per area.

The HTTP routes accept them as request bodies and pass them to the commands as they are; the
response models stay in the API (`api/<area>_schemas.py`)."""
