"""The music recommender service (seed 003): songs for a mood, and songs like a song."""
