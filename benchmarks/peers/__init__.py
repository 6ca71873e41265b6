"""The systems we are measured against, each started as its own server process."""
