"""The model runtime of the server (no HTTP): loaded models, their batch workers, and the one
facade (``Gateway``) every caller goes through."""
