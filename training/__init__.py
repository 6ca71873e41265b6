"""Making models offline (needs the `train` extra): the crisis risk scorer for now."""
