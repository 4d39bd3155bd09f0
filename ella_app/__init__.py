"""ella_app: an ELLA-compatible implementation of the variant interpretation application.

Layers (see README): ``formats`` parse files into plain data and validate them, ``services`` apply
validated data to the database, ``db`` holds the models and migrations, and ``cli`` / ``api`` are thin
faces over ``services``. The core (everything but ``cli`` and ``api``) imports neither click nor Flask.
"""

__version__ = "0.1.0"
