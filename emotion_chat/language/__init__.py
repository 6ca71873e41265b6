"""Korean language helpers: morphological analysis (Kiwi) and particle agreement."""
