"""The music recommender service (after the happytalkplayer music-recommendation chatbot):
songs for a mood, and songs like a song."""
