"""Writes of the application flow: the transitions, their milestone rows and the uploaded documents."""
