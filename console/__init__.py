"""The IOC wall console's application core."""
